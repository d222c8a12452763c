package bolt.fulfillment;

import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flash sale end to end in one JVM: 64 buyers send 5,000 orders for 20 products whose stock
 * (3,900 units in all) is far below the ~10,000 units asked, so most products sell out and Redis
 * refuses the rest. Once four workers have drained the queue, what buyers were told must match the
 * database and Redis exactly (design.md I1-I4).
 */
@Timeout(300)
class EndToEndTest {

  private static final int PRODUCTS = 20;
  private static final int ORDERS = 5_000;
  private static final int CLIENTS = 64;

  @Test
  void everyAcceptedOrderIsWrittenOnceAndStockAddsUp() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx)) {
      Map<String, Integer> initialStock = new LinkedHashMap<>();
      for (int i = 0; i < PRODUCTS; i++) {
        String id = String.format("p%02d", i);
        initialStock.put(id, 100 + 10 * i);
        env.createProduct(id, 100 + 10 * i);
      }
      var config = env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "4"));

      OrderLoad load = OrderLoad.start(vertx, config.httpPort(), List.copyOf(initialStock.keySet()), CLIENTS, ORDERS)
          .awaitDone(Duration.ofSeconds(180));

      assertThat(load.answered()).as("answers").isEqualTo(ORDERS);
      assertThat(load.unansweredCustomers()).as("requests without an answer").isEmpty();
      assertThat(load.unexpected()).as("answers other than 202 or 400 INSUFFICIENT_STOCK").isZero();
      assertThat(load.count(400)).as("orders refused for stock: the sale must sell out").isPositive();
      assertThat(load.acceptedCount()).as("accepted orders").isPositive();

      Invariants.awaitDrained(env, initialStock.keySet(), Duration.ofSeconds(120));
      Invariants.assertConsistent(env, initialStock, load.accepted());
      assertThat(initialStock.keySet().stream().filter(p -> env.dbStock(p) == 0))
          .as("products sold out").isNotEmpty();

      WebClient web = WebClient.create(vertx);
      List<String> sample = new ArrayList<>(load.accepted()).subList(0, 25);
      for (String id : sample) {
        var reply = Waits.await(web.get(config.httpPort(), "127.0.0.1", "/order/" + id).send());
        assertThat(reply.statusCode()).as("GET /order/%s", id).isEqualTo(200);
        assertThat(reply.bodyAsJsonObject().getString("status")).as("status of %s", id).isEqualTo("CONFIRMED");
      }
    } finally {
      vertx.close();
    }
  }
}
