package bolt.order;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * redis.waitReplicas: each reservation call is followed by WAIT on the same connection. The suite's
 * single Redis has no replica, so the WAIT times out: the order is answered 202 all the same (it is
 * in Redis) and the short wait is counted (docs/design.md: failover and replication). On the test
 * cluster every master has a replica, and nothing is counted.
 */
class ReplicationWaitTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  @Test
  void aReservationWaitsForItsReplicaAndCountsAShortWait() {
    TestEnv env = world.env();
    env.createProduct("waited", 5);
    var config = env.start(Map.of("BOLT_ROLES", "http", "BOLT_REDIS_WAIT_REPLICAS", "1"));
    try (Http http = new Http(world.vertx(), config.httpPort())) {
      var placed = http.post("/order", new JsonObject().put("productId", "waited").put("quantity", 2));
      assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(202);
      var refused = http.post("/order", new JsonObject().put("productId", "waited").put("quantity", 4));
      assertThat(refused.statusCode()).as("a refusal").isEqualTo(400);
    }
    assertThat(env.ledger("waited", "available")).isEqualTo(3);
    double shortWaits = env.metrics().registry().get("bolt.redis.wait.short").counter().count();
    assertThat(shortWaits).as("reservation calls that accepted orders without a replica")
        .isEqualTo(TestEnv.cluster() ? 0.0 : 1.0);
  }
}
