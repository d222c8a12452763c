package bolt.fulfillment;

import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.TestEnv;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database holds fewer units than Redis reserved (stock was taken out of PostgreSQL by hand while
 * orders were queued): as many orders as the stock covers are CONFIRMED, the rest are stored
 * REJECTED with a reason, stock never goes below zero (I1), and once the product is quiescent
 * Redis is corrected to the database's stock and the correction is counted.
 */
@Timeout(120)
class DatabaseShortfallTest {

  @Test
  void ordersBeyondTheDatabaseStockAreRejectedAndRedisIsCorrected() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx)) {
      env.createProduct("p", 10);
      // intake only, so the six orders wait in the queue while the database changes under them
      var api = env.start(Map.of("BOLT_ROLES", "http"));
      List<String> orderIds = new ArrayList<>();
      try (Http http = new Http(vertx, api.httpPort())) {
        for (int i = 0; i < 6; i++) {
          var reply = http.post("/order", new JsonObject().put("productId", "p").put("quantity", 1));
          assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(202);
          orderIds.add(reply.bodyAsJsonObject().getString("orderId"));
        }
        env.sql("UPDATE products SET stock = 4, version = version + 1 WHERE id = 'p'");

        env.start(Map.of("BOLT_ROLES", "fulfillment"));
        Invariants.awaitDrained(env, List.of("p"), Duration.ofSeconds(60));

        // which orders lose depends on which worker's batch locks the product first; how many does not
        Map<String, Integer> byStatus = new java.util.TreeMap<>();
        for (String id : orderIds) {
          JsonObject order = http.get("/order/" + id).bodyAsJsonObject();
          byStatus.merge(order.getString("status") + " " + order.getString("reason"), 1, Integer::sum);
        }
        assertThat(byStatus).isEqualTo(Map.of("CONFIRMED null", 4, "REJECTED INSUFFICIENT_STOCK", 2));
      }
      assertThat(env.dbStock("p")).isZero();
      assertThat(env.ledger("p", "inflight")).isZero();
      assertThat(env.ledger("p", "available")).as("Redis corrected to the DB stock").isZero();
      assertThat(env.redis(Command.GET, env.keys().drift()).toLong()).as("drift corrections").isEqualTo(1);
    } finally {
      Waits.await(vertx.close());
    }
  }
}
