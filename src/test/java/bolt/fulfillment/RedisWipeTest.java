package bolt.fulfillment;

import bolt.order.OrderJob;
import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.LogCapture;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import ch.qos.logback.classic.Level;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis that lost its data (docs/design.md): a new empty instance, a failover to an empty replica,
 * FLUSHALL. Buyers of existing products never hear "unknown product", Bolt rebuilds at once and
 * says once, loudly, what was lost, and PostgreSQL never sells a unit twice.
 */
@Timeout(180)
class RedisWipeTest {

  private static final Map<String, Integer> STOCK = Map.of("hot", 150, "a", 100_000, "b", 100_000);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void aWipeUnderLoadIsRebuiltAtOnceWithoutA404OrAnOversell() {
    TestEnv env = world.env();
    STOCK.forEach(env::createProduct);
    try (LogCapture log = LogCapture.attach()) {
      int port = env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "2")).httpPort();
      OrderLoad load = OrderLoad.start(world.vertx(), port, List.copyOf(STOCK.keySet()), 16, Long.MAX_VALUE,
          Duration.ofMillis(2));
      Waits.eventually(Duration.ofSeconds(30), "300 orders accepted", () -> load.acceptedCount() >= 300);

      long wipedAt = System.nanoTime();
      assertThat(env.wipeRedis()).as("keys wiped").isPositive();
      Waits.eventually(Duration.ofSeconds(10), "the products rebuilt",
          () -> env.redis(Command.EXISTS, env.keys().synced()).toInteger() == 1);
      long rebuiltMs = (System.nanoTime() - wipedAt) / 1_000_000;
      Set<String> acceptedBeforeRebuilt = load.accepted();
      Waits.eventually(Duration.ofSeconds(30), "200 more orders accepted",
          () -> load.acceptedCount() >= acceptedBeforeRebuilt.size() + 200);
      load.stopAndAwait(Duration.ofSeconds(30));

      Map<Integer, Integer> statuses = load.statuses();
      System.out.printf("wipe under load: rebuilt after %d ms, answers %s%n", rebuiltMs, statuses);
      assertThat(rebuiltMs).as("ms from the wipe to the rebuilt sync mark").isLessThan(3_000);
      assertThat(statuses).as("answers").doesNotContainKeys(404, 500, OrderLoad.NO_ANSWER);
      assertThat(load.unexpectedAnswers()).as("answers other than 202 and INSUFFICIENT_STOCK")
          .allSatisfy(answer -> assertThat(answer).startsWith("503 ").contains("\"backend\":\"redis\""));

      Invariants.awaitDrained(env, STOCK.keySet(), Duration.ofSeconds(60));
      assertNoOversellAndRedisAgrees(env);
      Set<String> written = new HashSet<>();
      env.sql("SELECT id::text AS id FROM orders").forEach(row -> written.add(row.getString("id")));
      Set<String> acceptedAfterRebuilt = new HashSet<>(load.accepted());
      acceptedAfterRebuilt.removeAll(acceptedBeforeRebuilt);
      assertThat(acceptedAfterRebuilt).as("orders accepted after the rebuild, all written").isNotEmpty()
          .allSatisfy(id -> assertThat(written).contains(id));
      System.out.printf("accepted before the wipe and lost with it: %d%n",
          acceptedBeforeRebuilt.stream().filter(id -> !written.contains(id)).count());

      var lost = log.matching(Level.ERROR, "Redis had lost its data");
      assertThat(lost).as("ERROR lines saying Redis lost its data" + LogCapture.describe(lost)).hasSize(1);
      assertThat(lost.get(0).getFormattedMessage()).contains("cannot be recovered");
    }
  }

  /**
   * A worker's batch in hand when Redis lost its data is still written; its ack must not leave a
   * partial hash (dbstock and dbver only) that the sync would take for a product and never rebuild.
   */
  @Test
  void anAckForAProductRedisLostLeavesNoPartialHashAndTheSyncRebuildsIt() {
    TestEnv env = world.env();
    env.createProduct("lost", 10);
    Waits.await(env.stockLedger().sync(TestEnv.product("lost", 10, 0)));
    env.redis(Command.SET, env.keys().synced(), "epoch-1");
    Redis blocking = Redis.createClient(world.vertx(), TestEnv.REDIS_URL);
    WorkQueue queue = new WorkQueue(env.redis(), blocking, env.keys(),
        new WorkerRegistry(env.redis(), env.keys(), "worker", 10_000, 5_000), 5_000);
    try {
      Waits.await(env.intake().place("lost", 2, null, null));
      List<OrderJob> batch = Waits.await(queue.take(10, 100)).stream().map(OrderJob::parse).toList();
      BatchResult written = Waits.await(new OrderWriter(env.pool()).write(batch));

      env.wipeRedis();
      Waits.await(queue.ack(written));
      assertThat(env.redis(Command.EXISTS, env.keys("lost").product("lost")).toInteger()).as("product hash").isZero();

      var config = env.start(Map.of("BOLT_ROLES", "http"));
      assertThat(env.ledger("lost", "available")).isEqualTo(8);
      assertThat(env.ledger("lost", "inflight")).isZero();
      try (var http = new Http(world.vertx(), config.httpPort())) {
        var order = http.post("/order", new JsonObject().put("productId", "lost").put("quantity", 1));
        assertThat(order.statusCode()).as(order.bodyAsString()).isEqualTo(202);
      }
    } finally {
      Waits.await(queue.close());
    }
  }

  private static void assertNoOversellAndRedisAgrees(TestEnv env) {
    for (var product : STOCK.entrySet()) {
      String id = product.getKey();
      long sold = env.sql("SELECT coalesce(sum(quantity), 0) AS units FROM orders WHERE product_id = $1 "
          + "AND status = 'CONFIRMED'", id).get(0).getLong("units");
      long stock = env.dbStock(id);
      assertThat(stock).as("DB stock of %s", id).isNotNegative();
      assertThat(sold + stock).as("units sold + DB stock of %s (I1)", id).isEqualTo(product.getValue().longValue());
      Waits.eventually(Duration.ofSeconds(15), "Redis available of " + id + " back to the DB stock",
          () -> Long.valueOf(env.dbStock(id)).equals(env.ledger(id, "available")));
    }
  }
}
