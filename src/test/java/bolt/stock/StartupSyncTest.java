package bolt.stock;

import bolt.support.Http;
import bolt.support.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up sync creates the Redis keys of products that lack them from the DB and never overwrites
 * keys that exist (they may have orders in flight), however many instances start.
 */
class StartupSyncTest {

  private static void assertLedger(TestEnv env, String product, long available, long inflight, long dbstock, long dbver) {
    assertThat(env.ledger(product, "available")).as(product + " available").isEqualTo(available);
    assertThat(env.ledger(product, "inflight")).as(product + " inflight").isEqualTo(inflight);
    assertThat(env.ledger(product, "dbstock")).as(product + " dbstock").isEqualTo(dbstock);
    assertThat(env.ledger(product, "dbver")).as(product + " dbver").isEqualTo(dbver);
  }

  @Test
  void createsMissingKeysAndLeavesExistingOnesAlone() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx)) {
      env.createProduct("kept", 10);
      env.createProduct("missing", 8);
      env.sql("UPDATE products SET version = 4 WHERE id = 'missing'");
      // as a running installation leaves it: 5 units reserved, 2 of them not yet written
      env.redis(Command.HSET, env.keys("kept").product("kept"), "available", 3, "inflight", 2, "dbstock", 10, "dbver", 0);

      var first = env.start(Map.of("BOLT_ROLES", "http"));

      assertLedger(env, "kept", 3, 2, 10, 0);
      assertLedger(env, "missing", 8, 0, 8, 4);
      try (Http http = new Http(vertx, first.httpPort())) {
        JsonObject kept = http.get("/products/kept").bodyAsJsonObject();
        assertThat(kept.getLong("available")).isEqualTo(3);
        assertThat(kept.getLong("stock")).isEqualTo(10);

        // one more unit reserved through the running instance, then the DB moves on its own
        assertThat(http.post("/order", new JsonObject().put("productId", "missing").put("quantity", 1)).statusCode())
            .isEqualTo(202);
      }
      env.sql("UPDATE products SET stock = 50, version = 5 WHERE id = 'missing'");
      env.createProduct("late", 6);

      // a second instance joins: its sync runs (it creates "late") but changes nothing that exists
      env.start(Map.of("BOLT_ROLES", "http"));

      assertLedger(env, "kept", 3, 2, 10, 0);
      assertLedger(env, "missing", 7, 1, 8, 4);
      assertLedger(env, "late", 6, 0, 6, 0);
    } finally {
      vertx.close();
    }
  }
}
