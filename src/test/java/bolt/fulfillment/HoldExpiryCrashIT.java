package bolt.fulfillment;

import bolt.support.BoltProcess;
import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker process dies (halt, as SIGKILL would leave it) between the commit of a hold expiry and
 * its Redis step. The orders it expired stay expired once, their units reach Redis once, through the
 * pending stock changes another worker applies; nothing is expired twice (docs/design.md: payment holds).
 */
class HoldExpiryCrashIT {

  private static final Duration START = Duration.ofSeconds(120);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void anExpiryCommittedByADeadWorkerReachesRedisOnceThroughAnother() {
    TestEnv env = world.env();
    try (BoltProcess api = BoltProcess.startReady("expiry-api", BoltProcess.environment(env, Map.of("BOLT_ROLES", "http")),
        START);
         Http http = new Http(world.vertx(), api.httpPort())) {
      var created = http.post("/admin/products", new JsonObject().put("id", "held").put("name", "held").put("stock", 10)
          .put("holdSeconds", 1), Http.bearer(TestEnv.ADMIN_TOKEN));
      assertThat(created.statusCode()).isEqualTo(201);
      for (int i = 0; i < 10; i++) {
        assertThat(http.post("/order", new JsonObject().put("productId", "held").put("quantity", 1)).statusCode())
            .isEqualTo(202);
      }

      try (BoltProcess faulty = BoltProcess.start("expiry-faulty-worker", BoltProcess.environment(env, Map.of(
          "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1", "BOLT_FAULT_HALT_AFTER_EXPIRY", "true")))) {
        assertThat(faulty.waitFor(START)).as("exit code of the halted worker\n%s", faulty.tail(20)).isEqualTo(137);
        assertThat(faulty.logContains("Fault injection: halting between an expiry's commit")).isTrue();
      }
      long expired = count(env, "SELECT count(*) AS n FROM orders WHERE status = 'CANCELLED'");
      // their units reach Redis through the pending changes: any process's periodic sync, or the next worker
      assertThat(expired).as("orders the dead worker expired").isPositive();

      try (BoltProcess worker = BoltProcess.startReady("expiry-worker", BoltProcess.environment(env, Map.of(
          "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1")), START)) {
        Waits.eventually(Duration.ofSeconds(30), "every unit back on sale",
            () -> Long.valueOf(10).equals(env.ledger("held", "available")));
        Waits.eventually(Duration.ofSeconds(30), "every change applied",
            () -> count(env, "SELECT count(*) AS n FROM stock_changes WHERE applied_at IS NULL") == 0);
      }
      assertThat(count(env, "SELECT count(*) AS n FROM orders WHERE status = 'CANCELLED' AND reason = 'HOLD_EXPIRED'"))
          .isEqualTo(10);
      assertThat(count(env, "SELECT count(*) AS n FROM stock_changes WHERE kind = 'HOLD_EXPIRED'"))
          .as("one change per expired order").isEqualTo(10);
      assertThat(env.dbStock("held")).isEqualTo(10);
      assertThat(env.ledger("held", "available")).as("each unit given back once").isEqualTo(10);
      assertThat(env.ledger("held", "inflight")).isZero();
    }
  }

  private static long count(TestEnv env, String query) {
    return env.sql(query).get(0).getLong("n");
  }
}
