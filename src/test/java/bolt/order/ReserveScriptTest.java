package bolt.order;

import bolt.infra.Unavailable;
import bolt.stock.Product;
import bolt.stock.SaleRules;
import bolt.stock.StockLedger;
import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reserve script through OrderService against real Redis (check-and-take in one step, job and
 * marker with it, idempotent replay), then the Idempotency-Key behaviour it gives the HTTP API.
 */
class ReserveScriptTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static OrderService intake;
  private static StockLedger ledger;

  @BeforeAll
  static void create() {
    vertx = world.vertx();
    env = world.env();
    intake = env.intake();
    ledger = env.stockLedger();
    env.redis(Command.SET, env.keys().synced(), "epoch-1");
  }

  /** The product's keys, made by the sync's own script. */
  private static void stock(String product, long available) {
    Waits.await(ledger.sync(TestEnv.product(product, available, 0)));
  }

  private static Placement reserve(String product, int quantity, String idempotencyKey) {
    return Waits.await(intake.place(product, quantity, null, idempotencyKey));
  }

  private static List<String> queue() {
    List<String> jobs = new ArrayList<>();
    env.redis(Command.LRANGE, env.keys().queue(), 0, -1).forEach(entry -> jobs.add(entry.toString()));
    return jobs;
  }

  /** The queued job of an accepted order. */
  private static OrderJob queued(UUID orderId) {
    return queue().stream().map(OrderJob::parse).filter(job -> job.orderId().equals(orderId)).findFirst()
        .orElseThrow(() -> new AssertionError("order " + orderId + " is not queued"));
  }

  private static boolean exists(String key) {
    return env.redis(Command.EXISTS, key).toInteger() == 1;
  }

  @Test
  void aRedisThatForgotItsScriptsGetsThemLoadedAgain() {
    stock("flushed", 2);
    // what a Redis restart does to the script cache
    env.redis(Command.SCRIPT, "FLUSH");

    assertThat(reserve("flushed", 1, null)).isInstanceOf(Placement.Accepted.class);
    assertThat(env.ledger("flushed", "available")).isEqualTo(1);
  }

  @Test
  void unknownProductIsReportedAndNothingIsQueued() {
    long before = env.queueLength();

    assertThat(reserve("no-such-product", 1, null)).isInstanceOf(Placement.UnknownProduct.class);
    assertThat(env.queueLength()).isEqualTo(before);
    assertThat(exists(env.keys("no-such-product").product("no-such-product"))).isFalse();
  }

  @Test
  void aRedisWithoutTheSyncMarkNeverSaysAProductIsUnknown() {
    AtomicInteger resyncs = new AtomicInteger();
    OrderService asked = new OrderService(vertx, env.redis(), env.keys(), new OrderRepository(env.pool()), 5_000,
        resyncs::incrementAndGet, SoldOutMemory.off());
    env.redis(Command.DEL, env.keys().synced());
    try {
      assertThatThrownBy(() -> Waits.await(asked.place("not-synced-yet", 1, null, null)))
          .isInstanceOf(Unavailable.class).hasMessageContaining("redis unavailable");
      assertThat(resyncs).as("resyncs asked for").hasValue(1);
    } finally {
      env.redis(Command.SET, env.keys().synced(), "epoch-1");
    }
  }

  @Test
  void exactFitTakesTheLastUnitsQueuesTheJobAndMarksTheOrder() {
    stock("exact", 5);

    Placement placed = reserve("exact", 5, null);

    assertThat(placed).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isZero());
    UUID orderId = ((Placement.Accepted) placed).orderId();
    assertThat(env.ledger("exact", "available")).isZero();
    assertThat(env.ledger("exact", "inflight")).isEqualTo(5);
    OrderJob job = queued(orderId);
    assertThat(env.redis(Command.HGET, env.keys().pending(), OrderIds.pendingRecord(orderId)).toString())
        .as("its pending record").isEqualTo(job.json());
  }

  @Test
  void ordersOfOneEventLoopTurnAreDecidedInArrivalOrderEachWithItsOwnAnswer() {
    stock("turn", 3);
    List<String> before = queue();
    Context loop = vertx.getOrCreateContext();
    Promise<List<Placement>> placed = Promise.promise();
    loop.runOnContext(inOneTurn -> {
      OrderService service = env.intake(); // its batcher lives on this loop: the four orders make one call
      List<Future<Placement>> orders = List.of(service.place("turn", 2, null, null),
          service.place("turn", 2, null, null), service.place("turn", 1, null, null),
          service.place("no-such-product", 1, null, null));
      Future.all(orders).map(all -> orders.stream().map(Future::result).toList()).onComplete(placed);
    });

    List<Placement> answers = Waits.await(placed.future());

    assertThat(answers.get(0)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(1));
    assertThat(answers.get(1)).isEqualTo(new Placement.Refused(1, false));
    assertThat(answers.get(2)).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isZero());
    assertThat(answers.get(3)).isInstanceOf(Placement.UnknownProduct.class);
    assertThat(env.ledger("turn", "available")).isZero();
    assertThat(env.ledger("turn", "inflight")).isEqualTo(3);
    // queued in arrival order: the first accepted is the first a worker takes (the list's tail)
    UUID first = ((Placement.Accepted) answers.get(0)).orderId();
    UUID third = ((Placement.Accepted) answers.get(2)).orderId();
    List<String> added = queue().subList(0, queue().size() - before.size());
    assertThat(added).extracting(job -> OrderJob.parse(job).orderId()).containsExactly(third, first);
    // one pending record for the call, its jobs in arrival order
    String record = OrderIds.pendingRecord(first);
    assertThat(OrderIds.pendingRecord(third)).isEqualTo(record);
    assertThat(env.redis(Command.HGET, env.keys().pending(), record).toString()).as("the call's pending record")
        .isEqualTo(added.get(1) + "\n" + added.get(0));
  }

  @Test
  void rulesInOneFieldAreKeptByReserveAndAHashWithTheOldFieldsHasThemMovedInByTheSync() {
    Instant ends = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
    String product = "ruled";
    String hash = env.keys(product).product(product);
    Waits.await(ledger.sync(new Product(product, product, 10, 0, new SaleRules(2, null, ends, null, 1), null,
        env.keys(product).shard())));
    assertThat(env.redis(Command.HGET, hash, "rules").toString()).isEqualTo("2,," + ends.toEpochMilli());
    assertThat(Waits.await(intake.place(product, 3, "ann", null))).isEqualTo(new Placement.LimitExceeded(2, 0));

    // a hash as Bolt wrote it before the rules shared one field: a limit of 1 and a sale that has ended
    long ended = Instant.now().minus(1, ChronoUnit.MINUTES).toEpochMilli();
    env.redis(Command.HDEL, hash, "rules");
    env.redis(Command.HSET, hash, "limit", "1", "ends", String.valueOf(ended));
    Waits.await(ledger.sync(new Product(product, product, 10, 0, new SaleRules(1, null, Instant.ofEpochMilli(ended),
        null, 1), null, env.keys(product).shard())));

    assertThat(env.redis(Command.HMGET, hash, "limit", "starts", "ends")).allMatch(field -> field == null);
    assertThat(env.redis(Command.HGET, hash, "rules").toString()).isEqualTo("1,," + ended);
    assertThat(Waits.await(intake.place(product, 1, "ann", null))).isEqualTo(new Placement.Ended(Instant.ofEpochMilli(ended)));

    // a newer version of the rules (none) replaces them, and the field goes
    Waits.await(ledger.sync(new Product(product, product, 10, 0, new SaleRules(null, null, null, null, 2), null,
        env.keys(product).shard())));
    assertThat(env.redis(Command.HEXISTS, hash, "rules").toInteger()).isZero();
    assertThat(Waits.await(intake.place(product, 3, null, null))).isInstanceOf(Placement.Accepted.class);
  }

  @Test
  void oneShortIsRefusedWithWhatIsLeftAndChangesNothing() {
    stock("short", 4);
    long queued = env.queueLength();

    assertThat(reserve("short", 5, null)).isEqualTo(new Placement.Refused(4, false));
    assertThat(env.ledger("short", "available")).isEqualTo(4);
    assertThat(env.ledger("short", "inflight")).isZero();
    assertThat(env.queueLength()).isEqualTo(queued);
  }

  @Test
  void replayWithTheSameIdempotencyKeyReturnsTheFirstOrderAndReservesNothing() {
    stock("idem", 10);
    Placement first = reserve("idem", 3, "key-1");
    assertThat(first).isInstanceOfSatisfying(Placement.Accepted.class,
        accepted -> assertThat(accepted.available()).isEqualTo(7));
    long queued = env.queueLength();
    assertThat(env.redis(Command.TTL, env.keys().idempotency(null, "key-1")).toLong())
        .isBetween(1L, OrderService.RETENTION_SECONDS);

    Placement replay = reserve("idem", 3, "key-1");

    Placement.Accepted accepted = (Placement.Accepted) first;
    assertThat(replay).isEqualTo(new Placement.Accepted(accepted.orderId(), "idem", 3, 7, true));
    assertThat(env.ledger("idem", "available")).isEqualTo(7);
    assertThat(env.ledger("idem", "inflight")).isEqualTo(3);
    assertThat(env.queueLength()).isEqualTo(queued);
  }

  @Test
  void httpReplayOfAnIdempotencyKeyGivesTheSameOrderAndADifferentBodyIsRefused() {
    env.createProduct("web", 10);
    // start-up sync creates the Redis keys of "web"; http only, so the order stays queued
    var config = env.start(Map.of("BOLT_ROLES", "http"));
    try (Http http = new Http(vertx, config.httpPort())) {
      JsonObject body = new JsonObject().put("productId", "web").put("quantity", 2);

      var first = http.post("/order", body, "Idempotency-Key", "checkout-42");
      var again = http.post("/order", body, "Idempotency-Key", "checkout-42");

      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(again.statusCode()).isEqualTo(202);
      String orderId = first.bodyAsJsonObject().getString("orderId");
      assertThat(again.bodyAsJsonObject().getString("orderId")).isEqualTo(orderId);
      assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(again.bodyAsJsonObject().getLong("available")).isEqualTo(8);
      assertThat(env.ledger("web", "available")).isEqualTo(8);
      assertThat(env.ledger("web", "inflight")).isEqualTo(2);

      var reused = http.post("/order", body.copy().put("quantity", 3), "Idempotency-Key", "checkout-42");
      assertThat(reused.statusCode()).isEqualTo(422);
      assertThat(reused.bodyAsJsonObject().getString("error")).isEqualTo("IDEMPOTENCY_KEY_REUSED");
      assertThat(reused.bodyAsJsonObject().getString("orderId")).isEqualTo(orderId);
      assertThat(env.ledger("web", "available")).isEqualTo(8);

      var otherKey = http.post("/order", body, "Idempotency-Key", "checkout-43");
      assertThat(otherKey.statusCode()).isEqualTo(202);
      assertThat(otherKey.bodyAsJsonObject().getString("orderId")).isNotEqualTo(orderId);
      assertThat(env.ledger("web", "available")).isEqualTo(6);

      // a key is the customer's own: another customer using the same text places their own order
      JsonObject alice = body.copy().put("customerId", "alice");
      JsonObject bob = body.copy().put("customerId", "bob");
      var alicesOrder = http.post("/order", alice, "Idempotency-Key", "cart-1");
      var bobsOrder = http.post("/order", bob, "Idempotency-Key", "cart-1");
      assertThat(alicesOrder.statusCode()).isEqualTo(202);
      assertThat(bobsOrder.statusCode()).isEqualTo(202);
      assertThat(bobsOrder.getHeader("Idempotent-Replayed")).isNull();
      assertThat(bobsOrder.bodyAsJsonObject().getString("orderId"))
          .isNotEqualTo(alicesOrder.bodyAsJsonObject().getString("orderId"));
      var alicesRetry = http.post("/order", alice, "Idempotency-Key", "cart-1");
      assertThat(alicesRetry.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(alicesRetry.bodyAsJsonObject().getString("orderId"))
          .isEqualTo(alicesOrder.bodyAsJsonObject().getString("orderId"));
      assertThat(env.ledger("web", "available")).isEqualTo(2);
    } finally {
      env.stopBolt();
    }
  }
}
