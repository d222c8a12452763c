package bolt.support;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Buyers: a fixed number of threads that POST /order (random product of a list, 1 to 3 units) one
 * request at a time, with a pause after each so a 2-core machine keeps room for the server, until
 * {@link #stop()} or {@code maxOrders} requests. Only 202 answers count as accepted; a connection error
 * (the server going away) is counted apart and is not an acceptance.
 */
public final class OrderStream implements AutoCloseable {

  /** Status recorded for a request that got no HTTP answer at all. */
  public static final int NO_ANSWER = -1;

  private final URI endpoint;
  private final List<String> productIds;
  private final long pauseMs;
  private final int maxOrders;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final List<Thread> threads;

  private OrderStream(int port, List<String> productIds, int concurrency, long pauseMs, int maxOrders) {
    this.endpoint = URI.create("http://127.0.0.1:" + port + "/order");
    this.productIds = List.copyOf(productIds);
    this.pauseMs = pauseMs;
    this.maxOrders = maxOrders;
    this.threads = java.util.stream.IntStream.range(0, concurrency)
        .mapToObj(i -> new Thread(this::buy, "buyer-" + i)).toList();
  }

  public static OrderStream start(int port, List<String> productIds, int concurrency, long pauseMs, int maxOrders) {
    OrderStream stream = new OrderStream(port, productIds, concurrency, pauseMs, maxOrders);
    stream.threads.forEach(Thread::start);
    return stream;
  }

  /** Stops sending and waits for the requests in flight (each is bounded by a request timeout). */
  public void stop() {
    stopped.set(true);
    for (Thread thread : threads) {
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (thread.isAlive()) {
        throw new AssertionError(thread.getName() + " did not finish within 30 s");
      }
    }
  }

  public boolean finished() {
    return threads.stream().noneMatch(Thread::isAlive);
  }

  public int sent() {
    return sent.get();
  }

  /** Order ids answered 202, so far. */
  public Set<String> accepted() {
    return Set.copyOf(accepted);
  }

  public int acceptedCount() {
    return accepted.size();
  }

  /** How many answers of each status ({@link #NO_ANSWER} for none). */
  public Map<Integer, Long> statuses() {
    Map<Integer, Long> copy = new java.util.TreeMap<>();
    statuses.forEach((status, count) -> copy.put(status, count.sum()));
    return copy;
  }

  @Override
  public void close() {
    stop();
  }

  private void buy() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (!stopped.get() && sent.incrementAndGet() <= maxOrders) {
      JsonObject order = new JsonObject()
          .put("productId", productIds.get(random.nextInt(productIds.size())))
          .put("quantity", 1 + random.nextInt(3));
      HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(order.encode())).build();
      int status;
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        if (status == 202) {
          accepted.add(new JsonObject(response.body()).getString("orderId"));
        }
      } catch (IOException e) {
        status = NO_ANSWER;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
      if (status == NO_ANSWER) {
        pause(Math.max(pauseMs, 50));
      } else {
        pause(pauseMs);
      }
    }
    sent.updateAndGet(n -> Math.min(n, maxOrders));
  }

  private static void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
