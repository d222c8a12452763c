package bolt.order;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Payment holds (docs/design.md: sale rules): orders of a product with holdSeconds are CONFIRMED
 * with a payBy; those not PAID by then are cancelled by the workers and their units are on sale
 * again within two seconds. And orders not yet written: neither cancellable nor payable yet.
 */
@Timeout(180)
class PaymentHoldTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private TestEnv env;
  private Http http;

  private HttpResponse<Buffer> admin(String path, JsonObject body) {
    return http.send(HttpMethod.POST, path, body == null ? null : body.toBuffer(), "Content-Type", "application/json",
        "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN);
  }

  private HttpResponse<Buffer> order(String product, String customer) {
    return http.post("/order", new JsonObject().put("productId", product).put("quantity", 1).put("customerId", customer));
  }

  private JsonObject status(String orderId) {
    return http.get("/order/" + orderId).bodyAsJsonObject();
  }

  @Test
  void unpaidOrdersAreCancelledAtTheirDeadlineAndTheirUnitsSoldAgain() {
    env = world.env();
    http = new Http(world.vertx(), env.start(Map.of()).httpPort(), 16);
    try {
      assertThat(admin("/admin/products", new JsonObject().put("id", "held").put("name", "held").put("stock", 10)
          .put("holdSeconds", 2)).statusCode()).isEqualTo(201);
      List<String> orders = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        var placed = order("held", "buyer-" + i);
        assertThat(placed.statusCode()).isEqualTo(202);
        orders.add(placed.bodyAsJsonObject().getString("orderId"));
      }
      assertThat(order("held", "late").statusCode()).as("sold out").isEqualTo(400);
      Waits.eventually(Duration.ofSeconds(30), "all ten written",
          () -> orders.stream().allMatch(id -> "CONFIRMED".equals(status(id).getString("status"))));
      JsonObject first = status(orders.get(0));
      assertThat(Duration.between(Instant.parse(first.getString("processedAt")), Instant.parse(first.getString("payBy"))))
          .isEqualTo(Duration.ofSeconds(2));

      for (String paid : orders.subList(0, 6)) {
        var reply = admin("/admin/orders/" + paid + "/pay", null);
        assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(200);
        assertThat(reply.bodyAsJsonObject().getString("status")).isEqualTo("PAID");
      }
      var again = admin("/admin/orders/" + orders.get(0) + "/pay", null);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");

      Instant latestPayBy = orders.subList(6, 10).stream().map(id -> Instant.parse(status(id).getString("payBy")))
          .max(Instant::compareTo).orElseThrow();
      Waits.eventually(Duration.ofSeconds(10), "the four unpaid units on sale again",
          () -> Long.valueOf(4).equals(env.ledger("held", "available")));
      assertThat(Instant.now()).as("units back within 2 s of the last deadline").isBefore(latestPayBy.plusSeconds(2));
      for (String unpaid : orders.subList(6, 10)) {
        JsonObject expired = status(unpaid);
        assertThat(expired.getString("status")).isEqualTo("CANCELLED");
        assertThat(expired.getString("reason")).isEqualTo("HOLD_EXPIRED");
        var tooLate = admin("/admin/orders/" + unpaid + "/pay", null);
        assertThat(tooLate.statusCode()).isEqualTo(409);
        assertThat(tooLate.bodyAsJsonObject().getString("error")).isEqualTo("HOLD_EXPIRED");
      }

      List<String> resold = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        var placed = order("held", "second-chance-" + i);
        assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(202);
        resold.add(placed.bodyAsJsonObject().getString("orderId"));
      }
      assertThat(order("held", "one-too-many").statusCode()).isEqualTo(400);
      Waits.eventually(Duration.ofSeconds(30), "the resold units written",
          () -> resold.stream().allMatch(id -> "CONFIRMED".equals(status(id).getString("status"))));
      resold.forEach(id -> assertThat(admin("/admin/orders/" + id + "/pay", null).statusCode()).isEqualTo(200));
      assertThat(env.sql("SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status"))
          .extracting(row -> row.getString("status") + "=" + row.getLong("n"))
          .containsExactly("CANCELLED=4", "PAID=10");
      assertThat(env.dbStock("held")).isZero();
      assertThat(env.ledger("held", "available")).isZero();
    } finally {
      http.close();
    }
  }

  /** Without workers the order stays accepted and unwritten: PENDING answers 409 with Retry-After. */
  @Test
  void anOrderNotYetWrittenCannotBeCancelledOrPaidYet() {
    env = world.env();
    env.createProduct("waiting", 5);
    http = new Http(world.vertx(), env.start(Map.of("BOLT_ROLES", "http")).httpPort());
    try {
      String id = order("waiting", "x").bodyAsJsonObject().getString("orderId");
      for (String action : List.of("cancel", "pay")) {
        var reply = admin("/admin/orders/" + id + "/" + action, null);
        assertThat(reply.statusCode()).as(action).isEqualTo(409);
        assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo("ORDER_PENDING");
        assertThat(reply.getHeader("Retry-After")).isEqualTo("1");
      }
      assertThat(env.ledger("waiting", "available")).isEqualTo(4);
    } finally {
      http.close();
    }
  }
}
