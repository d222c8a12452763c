package bolt.order;

import bolt.support.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {

  @Test
  void acceptsAndConfirmsAnOrder() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx)) {
      env.createProduct("p1", 5);
      var config = env.start(Map.of());
      WebClient web = WebClient.create(vertx);
      var reply = TestEnv.await(web.post(config.httpPort(), "127.0.0.1", "/order")
          .sendJsonObject(new JsonObject().put("productId", "p1").put("quantity", 2)));
      assertThat(reply.statusCode()).isEqualTo(202);
      TestEnv.eventually(Duration.ofSeconds(10), "order written", () -> env.dbStock("p1") == 3);
      assertThat(env.ledger("p1", "available")).isEqualTo(3);
    } finally {
      vertx.close();
    }
  }
}
