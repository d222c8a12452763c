package bolt.order;

import bolt.stock.LuaScript;
import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reserve.lua on its own against real Redis (check-and-take in one step, job and marker with it,
 * idempotent replay), then the Idempotency-Key behaviour it gives the HTTP API.
 */
class ReserveScriptTest {

  private static final LuaScript RESERVE = LuaScript.load("reserve");
  private static final long MARKER_TTL = 3600;
  private static final long IDEM_TTL = 7200;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;

  @BeforeAll
  static void create() {
    vertx = world.vertx();
    env = world.env();
  }

  private static void stock(String product, long available) {
    env.redis(Command.HSET, env.keys().product(product), "available", available, "inflight", 0,
        "dbstock", available, "dbver", 0);
  }

  private static OrderJob job(String product, int quantity) {
    return OrderJob.create(OrderIds.next(), product, quantity, null, Instant.now());
  }

  /** Runs the script as OrderService does: KEYS product, queue, marker, sync mark[, idempotency]; ARGV q, job, TTLs. */
  private static Response reserve(OrderJob job, String idempotencyKey) {
    List<String> keys = new ArrayList<>(List.of(env.keys().product(job.productId()), env.keys().queue(),
        env.keys().order(job.orderId().toString()), env.keys().synced()));
    if (idempotencyKey != null) {
      keys.add(env.keys().idempotency(job.customerId(), idempotencyKey));
    }
    return TestEnv.await(RESERVE.run(env.redis(), keys, List.of(job.quantity(), job.json(), MARKER_TTL, IDEM_TTL)));
  }

  private static List<String> queue() {
    List<String> jobs = new ArrayList<>();
    env.redis(Command.LRANGE, env.keys().queue(), 0, -1).forEach(entry -> jobs.add(entry.toString()));
    return jobs;
  }

  private static boolean exists(String key) {
    return env.redis(Command.EXISTS, key).toInteger() == 1;
  }

  @Test
  void aRedisThatForgotItsScriptsGetsThemLoadedAgain() {
    stock("flushed", 2);
    // what a Redis restart does to the script cache
    env.redis(Command.SCRIPT, "FLUSH");

    Response reply = reserve(job("flushed", 1), null);

    assertThat(reply.get(0).toInteger()).isEqualTo(1);
    assertThat(env.ledger("flushed", "available")).isEqualTo(1);
  }

  @Test
  void unknownProductIsReportedAndNothingIsQueued() {
    env.redis(Command.SET, env.keys().synced(), "epoch-1");
    long before = env.queueLength();
    OrderJob job = job("no-such-product", 1);

    Response reply = reserve(job, null);

    assertThat(reply.get(0).toInteger()).isEqualTo(-1);
    assertThat(env.queueLength()).isEqualTo(before);
    assertThat(exists(env.keys().order(job.orderId().toString()))).isFalse();
    assertThat(exists(env.keys().product("no-such-product"))).isFalse();
  }

  @Test
  void aRedisWithoutTheSyncMarkNeverSaysAProductIsUnknown() {
    env.redis(Command.DEL, env.keys().synced());
    OrderJob job = job("not-synced-yet", 1);

    Response reply = reserve(job, null);

    assertThat(reply.get(0).toInteger()).as("not synced").isEqualTo(-2);
    assertThat(exists(env.keys().order(job.orderId().toString()))).isFalse();
  }

  @Test
  void exactFitTakesTheLastUnitsQueuesTheJobAndMarksTheOrder() {
    stock("exact", 5);
    OrderJob job = job("exact", 5);

    Response reply = reserve(job, null);

    assertThat(reply.get(0).toInteger()).isEqualTo(1);
    assertThat(reply.get(1).toLong()).isZero();
    assertThat(env.ledger("exact", "available")).isZero();
    assertThat(env.ledger("exact", "inflight")).isEqualTo(5);
    assertThat(queue()).contains(job.json());
    String marker = env.keys().order(job.orderId().toString());
    assertThat(env.redis(Command.GET, marker).toString()).isEqualTo(job.json());
    assertThat(env.redis(Command.TTL, marker).toLong()).isBetween(1L, MARKER_TTL);
  }

  @Test
  void oneShortIsRefusedWithWhatIsLeftAndChangesNothing() {
    stock("short", 4);
    long queued = env.queueLength();
    OrderJob job = job("short", 5);

    Response reply = reserve(job, null);

    assertThat(reply.get(0).toInteger()).isZero();
    assertThat(reply.get(1).toLong()).isEqualTo(4);
    assertThat(env.ledger("short", "available")).isEqualTo(4);
    assertThat(env.ledger("short", "inflight")).isZero();
    assertThat(env.queueLength()).isEqualTo(queued);
    assertThat(exists(env.keys().order(job.orderId().toString()))).isFalse();
  }

  @Test
  void replayWithTheSameIdempotencyKeyReturnsTheFirstOrderAndReservesNothing() {
    stock("idem", 10);
    OrderJob first = job("idem", 3);
    Response accepted = reserve(first, "key-1");
    assertThat(accepted.get(0).toInteger()).isEqualTo(1);
    assertThat(accepted.get(1).toLong()).isEqualTo(7);
    long queued = env.queueLength();
    assertThat(env.redis(Command.TTL, env.keys().idempotency(null, "key-1")).toLong()).isBetween(MARKER_TTL + 1, IDEM_TTL);

    OrderJob retry = job("idem", 3);
    Response replay = reserve(retry, "key-1");

    assertThat(replay.get(0).toInteger()).isEqualTo(2);
    assertThat(replay.get(1).toString()).isEqualTo("7:" + first.json());
    assertThat(env.ledger("idem", "available")).isEqualTo(7);
    assertThat(env.ledger("idem", "inflight")).isEqualTo(3);
    assertThat(env.queueLength()).isEqualTo(queued);
    assertThat(queue()).doesNotContain(retry.json());
    assertThat(exists(env.keys().order(retry.orderId().toString()))).isFalse();
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
