package bolt.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A crowd of concurrent buyers: each client sends POST /order (random product, 1 to 3 units) and,
 * after an optional pause (so a 2-core machine keeps room for the server), the next one once it has
 * an answer, until {@code limit} orders were sent or {@link #stop()}. Every request carries a unique
 * customerId, so an order whose answer never arrived (the server went away mid-request) can still be
 * recognised in the database. Only 202 answers count as accepted. Counters are safe to read while it runs.
 */
public final class OrderLoad {

  /** One HTTP answer: when it arrived (System.nanoTime), for which product, its status, its order id if 202. */
  public record Answer(long atNanos, String productId, int status, String orderId) {
  }

  /** Key in {@link #statuses()} for requests that got no HTTP answer at all. */
  public static final int NO_ANSWER = -1;
  /** The least pause after a request without an answer: no spinning through refused connections. */
  private static final long RETRY_PAUSE_MS = 20;

  private final Vertx vertx;
  private final WebClient web;
  private final int port;
  private final List<String> products;
  private final long limit;
  private final long pauseMs;
  private final AtomicLong sent = new AtomicLong();
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final Set<String> unansweredCustomers = ConcurrentHashMap.newKeySet();
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final AtomicInteger unexpected = new AtomicInteger();
  private final Set<String> unexpectedAnswers = ConcurrentHashMap.newKeySet();
  private final java.util.Queue<Answer> answers = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean stopping;
  private volatile Future<Void> done;

  private OrderLoad(Vertx vertx, int port, List<String> products, long limit, Duration pause) {
    this.vertx = vertx;
    // a request that outlives a stopped server must fail, not hang the test
    this.web = WebClient.create(vertx, new WebClientOptions().setIdleTimeout(30)
        .setConnectTimeout(5_000), new PoolOptions().setHttp1MaxSize(256));
    this.port = port;
    this.products = List.copyOf(products);
    this.limit = limit;
    this.pauseMs = pause.toMillis();
  }

  /** Starts {@code clients} buyers that send {@code limit} orders in all (Long.MAX_VALUE: until stopped). */
  public static OrderLoad start(Vertx vertx, int port, List<String> products, int clients, long limit) {
    return start(vertx, port, products, clients, limit, Duration.ZERO);
  }

  /** Like {@link #start(Vertx, int, List, int, long)}, each client pausing {@code pause} after each answer. */
  public static OrderLoad start(Vertx vertx, int port, List<String> products, int clients, long limit,
      Duration pause) {
    OrderLoad load = new OrderLoad(vertx, port, products, limit, pause);
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Promise<Void> client = Promise.promise();
      vertx.runOnContext(ignored -> load.next(client));
      all.add(client.future());
    }
    load.done = Future.all(all).onComplete(finished -> load.web.close()).mapEmpty();
    return load;
  }

  /** Lets each client finish the request in hand and send no more. */
  public void stop() {
    stopping = true;
  }

  /** Completes when every client is done. */
  public Future<Void> done() {
    return done;
  }

  /** Whether every client is done (limit reached or stopped). */
  public boolean finished() {
    return done.isComplete();
  }

  /** Blocks the test thread until every client is done. */
  public OrderLoad awaitDone(Duration deadline) {
    try {
      done.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("order load not done within " + deadline.toSeconds() + " s", e);
    }
    return this;
  }

  /** {@link #stop()}, then {@link #awaitDone(Duration)}. */
  public OrderLoad stopAndAwait(Duration deadline) {
    stop();
    return awaitDone(deadline);
  }

  private void next(Promise<Void> client) {
    long seq = sent.getAndIncrement();
    if (stopping || seq >= limit) {
      client.complete();
      return;
    }
    String customer = "c-" + seq;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String productId = products.get(random.nextInt(products.size()));
    JsonObject order = new JsonObject()
        .put("productId", productId)
        .put("quantity", 1 + random.nextInt(3))
        .put("customerId", customer);
    web.post(port, "127.0.0.1", "/order").timeout(30_000).sendJsonObject(order).onComplete(reply -> {
      if (reply.failed()) {
        unansweredCustomers.add(customer);
        vertx.setTimer(Math.max(pauseMs, RETRY_PAUSE_MS), id -> next(client));
        return;
      }
      int status = reply.result().statusCode();
      statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
      String orderId = status == 202 ? reply.result().bodyAsJsonObject().getString("orderId") : null;
      answers.add(new Answer(System.nanoTime(), productId, status, orderId));
      if (status == 202) {
        accepted.add(orderId);
      } else if (status != 400 || !"INSUFFICIENT_STOCK".equals(reply.result().bodyAsJsonObject().getString("error"))) {
        unexpected.incrementAndGet();
        unexpectedAnswers.add(status + " " + reply.result().bodyAsString());
      }
      if (pauseMs > 0) {
        vertx.setTimer(pauseMs, id -> next(client));
      } else {
        next(client);
      }
    });
  }

  /** Every answer so far, in arrival order. */
  public List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Order ids answered 202. */
  public Set<String> accepted() {
    return Set.copyOf(accepted);
  }

  public int acceptedCount() {
    return accepted.size();
  }

  /** How many answers had this HTTP status. */
  public int count(int status) {
    AtomicInteger n = statuses.get(status);
    return n == null ? 0 : n.get();
  }

  /** How many requests got each HTTP status, and {@link #NO_ANSWER} how many got none (absent if none). */
  public Map<Integer, Integer> statuses() {
    Map<Integer, Integer> copy = new TreeMap<>();
    statuses.forEach((status, n) -> copy.put(status, n.get()));
    if (!unansweredCustomers.isEmpty()) {
      copy.put(NO_ANSWER, unansweredCustomers.size());
    }
    return copy;
  }

  public int serverErrors() {
    return statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(e -> e.getValue().get()).sum();
  }

  /** Answers that were neither 202 nor 400 INSUFFICIENT_STOCK. */
  public int unexpected() {
    return unexpected.get();
  }

  /** The distinct unexpected answers (status and body), for a failure message. */
  public Set<String> unexpectedAnswers() {
    return Set.copyOf(unexpectedAnswers);
  }

  /** customerIds of requests that got no answer at all (connection refused or closed mid-request). */
  public Set<String> unansweredCustomers() {
    return Set.copyOf(unansweredCustomers);
  }

  /** Requests that got an HTTP answer, whatever its status. */
  public long answered() {
    return statuses.values().stream().mapToLong(AtomicInteger::get).sum();
  }
}
