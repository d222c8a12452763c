package bolt.order;

import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.Product;
import bolt.stock.SaleRules;
import bolt.stock.StockLedger;
import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.RequestImpl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the intake coalesces reservations (order/ReservationBatcher), against the real Redis: the calls
 * go through a gate that can hold one back, so a test decides when a call goes out. Every
 * step on the event loop is one task, followed by a barrier task, so the end-of-turn call it
 * scheduled has been sent when the test looks.
 */
class ReservationBatcherTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static StockLedger ledger;

  @BeforeAll
  static void create() {
    vertx = world.vertx();
    env = world.env();
    ledger = env.stockLedger();
    for (int shard = 0; shard < env.shards().count(); shard++) {
      env.redis(Command.SET, env.shards().keys(shard).synced(), "epoch-1");
    }
  }

  /** The real Redis, with the next reservation calls (EVALSHA/EVAL) held back when asked. */
  private static final class Gate implements Redis {
    private final Redis redis;
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger toHold = new AtomicInteger();

    Gate(Redis redis) {
      this.redis = redis;
    }

    @Override
    public Future<Response> send(Request request) {
      if (!reservation(request) || !holding()) {
        return redis.send(request);
      }
      Promise<Response> answer = Promise.promise();
      held.add(() -> redis.send(request).onComplete(answer));
      return answer.future();
    }

    /** The reservation followed by WAIT (redis.waitReplicas), in one pipeline. */
    @Override
    public Future<List<Response>> batch(List<Request> requests) {
      if (!reservation(requests.get(0)) || !holding()) {
        return redis.batch(requests);
      }
      Promise<List<Response>> answers = Promise.promise();
      held.add(() -> redis.batch(requests).onComplete(answers));
      return answers.future();
    }

    private boolean reservation(Request request) {
      if (request.command() != Command.EVALSHA && request.command() != Command.EVAL) {
        return false;
      }
      calls.add(((RequestImpl) request).getArgs().stream().map(arg -> new String(arg, StandardCharsets.UTF_8))
          .toList());
      return true;
    }

    private boolean holding() {
      return toHold.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /** The orders of each call so far, as the call's flags argument ('-' or 'k' per order). */
    List<String> flags() {
      return calls.stream().map(args -> args.get(3 + Integer.parseInt(args.get(1)))).toList();
    }

    /** Holds back the next {@code calls} reservation calls. */
    void hold(int calls) {
      toHold.set(calls);
    }

    /** Lets the held calls through to Redis. */
    void open() {
      toHold.set(0);
      List<Runnable> release = new ArrayList<>(held);
      held.clear();
      release.forEach(Runnable::run);
    }

    @Override
    public Future<RedisConnection> connect() {
      return redis.connect();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  private record Intake(Context loop, Gate gate, OrderService service) {

    /** Runs the step on the loop as one task, and returns once the tasks it scheduled have run too. */
    <T> T step(Supplier<T> action) {
      Promise<T> result = Promise.promise();
      loop.runOnContext(task -> result.complete(action.get()));
      T value = Waits.await(result.future());
      Promise<Void> barrier = Promise.promise();
      loop.runOnContext(after -> barrier.complete());
      Waits.await(barrier.future());
      return value;
    }

    Future<Placement> place(String product, int quantity) {
      return step(() -> service.place(product, quantity, null, null));
    }
  }

  /** An intake whose batcher lives on a loop of its own, calling Redis through a gate. */
  private static Intake intake(String product, long timeoutMs) {
    return intake(product, timeoutMs, env.redis());
  }

  private static Intake intake(String product, long timeoutMs, Redis redis) {
    Context loop = vertx.getOrCreateContext();
    Gate gate = new Gate(redis);
    Keys keys = env.keys(product);
    Promise<OrderService> made = Promise.promise();
    loop.runOnContext(onLoop -> made.complete(new OrderService(vertx, gate, keys, new OrderRepository(env.pool()),
        timeoutMs, () -> { }, SoldOutMemory.off())));
    return new Intake(loop, gate, Waits.await(made.future()));
  }

  private static void stock(String product, long available) {
    Waits.await(ledger.sync(TestEnv.product(product, available, 0)));
  }

  private static List<UUID> queuedSince(Keys keys, long before) {
    List<UUID> ids = new ArrayList<>();
    env.redis(Command.LRANGE, keys.queue(), 0, -1).forEach(job -> ids.add(OrderJob.parse(job.toString()).orderId()));
    // the queue's head is the newest: oldest first
    List<UUID> added = new ArrayList<>(ids.subList(0, (int) (ids.size() - before)));
    Collections.reverse(added);
    return added;
  }

  private static UUID id(Placement placement) {
    assertThat(placement).isInstanceOf(Placement.Accepted.class);
    return ((Placement.Accepted) placement).orderId();
  }

  @Test
  void eachTurnsOrdersGoInOneCallWithoutWaitingForTheCallInFlight() {
    stock("turns", 10);
    Intake intake = intake("turns", 5_000);
    Keys keys = env.keys("turns");
    long before = env.redis(Command.LLEN, keys.queue()).toLong();

    intake.gate().hold(1);
    Future<Placement> a = intake.place("turns", 1);
    assertThat(intake.gate().flags()).as("a lone order goes at the end of its turn").containsExactly("-");
    List<Future<Placement>> next = intake.step(() -> List.of(intake.service().place("turns", 2, null, null),
        intake.service().place("turns", 3, null, null), intake.service().place("turns", 9, null, null)));
    assertThat(intake.gate().flags()).as("the next turn's three orders in one call, at once")
        .containsExactly("-", "---");
    assertThat(Waits.await(next.get(0))).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(8));
    assertThat(Waits.await(next.get(1))).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(5));
    assertThat(Waits.await(next.get(2))).as("decided after the two before it")
        .isEqualTo(new Placement.Refused(5, false));

    intake.gate().open();

    assertThat(Waits.await(a)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(4));
    assertThat(queuedSince(keys, before)).containsExactly(id(next.get(0).result()), id(next.get(1).result()),
        id(a.result()));
    assertThat(env.ledger("turns", "available")).isEqualTo(4);
    assertThat(env.ledger("turns", "inflight")).isEqualTo(6);
  }

  @Test
  void aTurnOfMoreThanSixtyFourOrdersIsSplitInArrivalOrderEachWithItsOwnAnswer() {
    stock("full", 1_000);
    Intake intake = intake("full", 5_000);

    List<Future<Placement>> orders = intake.step(() -> IntStream.range(0, ReservationBatcher.MAX_ORDERS + 3)
        .mapToObj(i -> intake.service().place("full", 1, null, null)).toList());

    // 64 went as soon as they were 64, the last 3 at the end of the turn
    assertThat(intake.gate().flags()).extracting(String::length).containsExactly(ReservationBatcher.MAX_ORDERS, 3);
    List<Long> left = new ArrayList<>();
    for (Future<Placement> order : orders) {
      left.add(((Placement.Accepted) Waits.await(order)).available());
    }
    assertThat(left).as("each order its own answer, in arrival order")
        .isEqualTo(LongStream.range(0, ReservationBatcher.MAX_ORDERS + 3).map(i -> 999 - i).boxed().toList());
    assertThat(env.ledger("full", "available")).isEqualTo(1_000 - ReservationBatcher.MAX_ORDERS - 3);
  }

  @Test
  void aFailedCallFailsItsOwnOrdersOnly() {
    stock("failing", 10);
    URI redisUrl = URI.create(TestEnv.REDIS_URL);
    try (TcpProxy proxy = new TcpProxy(vertx, redisUrl.getHost(), redisUrl.getPort() == -1 ? 6379 : redisUrl.getPort())) {
      Redis throughProxy = Redis.createClient(vertx, "redis://127.0.0.1:" + proxy.port());
      Intake intake = intake("failing", 5_000, throughProxy);

      intake.gate().hold(1);
      Future<Placement> lost = intake.place("failing", 1);
      // one after the other: two calls in flight may use two pooled connections and reach Redis in either order
      assertThat(Waits.await(intake.place("failing", 2))).isInstanceOfSatisfying(Placement.Accepted.class,
          accepted -> assertThat(accepted.available()).isEqualTo(8));
      assertThat(Waits.await(intake.place("failing", 3))).isInstanceOfSatisfying(Placement.Accepted.class,
          accepted -> assertThat(accepted.available()).isEqualTo(5));

      // the held call goes out once Redis cannot be reached any more: a real failure of that call alone
      proxy.down();
      intake.gate().open();
      assertThatThrownBy(() -> Waits.await(lost)).isInstanceOf(Unavailable.class);
      assertThat(intake.gate().flags()).containsExactly("-", "-", "-");
      assertThat(env.ledger("failing", "inflight")).isEqualTo(5);
      Waits.await(throughProxy.close());
    }
  }

  @Test
  void aCallThatTimesOutIsAnswered503AndStallsNothing() {
    stock("slow", 10);
    Intake intake = intake("slow", 300);

    intake.gate().hold(1);
    Future<Placement> hung = intake.place("slow", 1);
    Future<Placement> next = intake.place("slow", 2);

    assertThat(Waits.await(next)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(8));
    // the first call never returns: past redis.timeoutMs it is answered 503
    assertThatThrownBy(() -> Waits.await(hung)).isInstanceOf(Unavailable.class);
    assertThat(intake.gate().flags()).containsExactly("-", "-");
  }

  @Test
  void ordersWithAndWithoutCustomerOrKeyInOneCallEachGetTheirOwnAnswer() {
    // one call in which orders bring different keys and arguments (reserve.lua's shapes)
    Waits.await(ledger.sync(new Product("shapes", "shapes", 10, 0, new SaleRules(2, null, null, null, 1), null,
        env.keys("shapes").shard())));
    stock("plain", 10);
    Intake intake = intake("shapes", 5_000);
    OrderService service = intake.service();

    List<Future<Placement>> turn = intake.step(() -> List.of(
        service.place("shapes", 1, null, null),
        service.place("shapes", 1, "alice", null),
        service.place("shapes", 1, null, "k1"),
        service.place("shapes", 1, "alice", "k2"),
        service.place("shapes", 1, "alice", null),
        service.place("shapes", 2, "bob", "k3"),
        service.place("plain", 3, null, "k4"),
        service.place("plain", 1, null, null)));
    List<Placement> answers = turn.stream().map(Waits::await).toList();

    assertThat(intake.gate().flags()).containsExactly("-ckbcbk-");
    assertThat(answers.get(0)).isEqualTo(new Placement.CustomerRequired(2));
    assertThat(answers.get(1)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(9));
    assertThat(answers.get(2)).isEqualTo(new Placement.CustomerRequired(2));
    assertThat(answers.get(3)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(8));
    assertThat(answers.get(4)).isEqualTo(new Placement.LimitExceeded(2, 2));
    assertThat(answers.get(5)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(6));
    assertThat(answers.get(6)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(7));
    assertThat(answers.get(7)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(6));
    Keys keys = env.keys("shapes");
    assertThat(env.redis(Command.HGET, keys.customerUnits("shapes"), "alice").toInteger()).isEqualTo(2);
    assertThat(env.redis(Command.HGET, keys.customerUnits("shapes"), "bob").toInteger()).isEqualTo(2);
    assertThat(env.redis(Command.EXISTS, keys.idempotency(null, "k1")).toInteger()).as("a refusal keeps no key")
        .isZero();

    // the retries, in one later call: each key answers its own first order
    List<Future<Placement>> retries = intake.step(() -> List.of(service.place("shapes", 1, "alice", "k2"),
        service.place("plain", 3, null, "k4"), service.place("shapes", 2, "bob", "k3")));
    assertThat(intake.gate().flags()).containsExactly("-ckbcbk-", "bkb");
    assertThat(Waits.await(retries.get(0))).isEqualTo(
        new Placement.Accepted(id(answers.get(3)), "shapes", 1, 8, true));
    assertThat(Waits.await(retries.get(1))).isEqualTo(
        new Placement.Accepted(id(answers.get(6)), "plain", 3, 7, true));
    assertThat(Waits.await(retries.get(2))).isEqualTo(
        new Placement.Accepted(id(answers.get(5)), "shapes", 2, 6, true));
    assertThat(env.ledger("shapes", "available")).isEqualTo(6);
    assertThat(env.ledger("plain", "available")).isEqualTo(6);
  }
}
