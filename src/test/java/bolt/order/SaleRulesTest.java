package bolt.order;

import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sale rules against a running Bolt (docs/design.md: sale rules): a per-customer limit kept as
 * exactly as the stock, a sale window decided by Redis's clock, cancellations that give units back
 * once, and rules changed for the next request.
 */
@Timeout(180)
class SaleRulesTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static Http http;

  @BeforeAll
  static void start() {
    env = world.env();
    http = new Http(world.vertx(), env.start(Map.of()).httpPort(), 64);
  }

  @AfterAll
  static void close() {
    http.close();
  }

  static void createProduct(String id, int stock, JsonObject rules) {
    var created = admin(HttpMethod.POST, "/admin/products", rules.copy().put("id", id).put("name", id).put("stock", stock));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
  }

  static HttpResponse<Buffer> admin(HttpMethod method, String path, JsonObject body) {
    return http.send(method, path, body == null ? null : body.toBuffer(), "Content-Type", "application/json",
        "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN);
  }

  static HttpResponse<Buffer> order(String product, int quantity, String customer) {
    JsonObject body = new JsonObject().put("productId", product).put("quantity", quantity);
    return http.post("/order", customer == null ? body : body.put("customerId", customer));
  }

  static String awaitStatus(HttpResponse<Buffer> placed, String status) {
    assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(202);
    String id = placed.bodyAsJsonObject().getString("orderId");
    Waits.eventually(DEADLINE, "order " + id + " " + status,
        () -> status.equals(http.get("/order/" + id).bodyAsJsonObject().getString("status")));
    return id;
  }

  private static Long counted(String product, String customer) {
    Response units = env.redis(Command.HGET, env.keys(product).customerUnits(product), customer);
    return units == null ? null : units.toLong();
  }

  @Test
  void concurrentOrdersOfTwentyCustomersReserveExactlyTheirLimitInRedisAndInPostgres() {
    createProduct("lim", 1_000, new JsonObject().put("limitPerCustomer", 3));
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    List<String> senders = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (int customer = 0; customer < 20; customer++) {
        JsonObject body = new JsonObject().put("productId", "lim").put("quantity", 1).put("customerId", "c" + customer);
        senders.add("c" + customer);
        sent.add(http.sendAsync(HttpMethod.POST, "/order", body.toBuffer(), "Content-Type", "application/json"));
      }
    }
    Waits.await(Future.join(sent));

    Map<String, Integer> accepted = new HashMap<>();
    for (int i = 0; i < sent.size(); i++) {
      HttpResponse<Buffer> reply = sent.get(i).result();
      JsonObject body = reply.bodyAsJsonObject();
      if (reply.statusCode() == 202) {
        accepted.merge(senders.get(i), 1, Integer::sum);
      } else {
        assertThat(reply.statusCode()).as(body.encode()).isEqualTo(409);
        assertThat(body.getString("error")).isEqualTo("LIMIT_EXCEEDED");
        assertThat(body.getInteger("limit")).isEqualTo(3);
        assertThat(body.getInteger("bought")).isEqualTo(3);
      }
    }
    assertThat(accepted).as("orders accepted per customer").hasSize(20).allSatisfy((customer, n) -> assertThat(n).isEqualTo(3));
    for (int customer = 0; customer < 20; customer++) {
      assertThat(counted("lim", "c" + customer)).as("units of c%d counted in Redis", customer).isEqualTo(3);
    }

    Invariants.awaitDrained(env, List.of("lim"), DEADLINE);
    assertThat(env.sql("SELECT customer_id, units FROM customer_units WHERE product_id = 'lim'"))
        .hasSize(20).allSatisfy(row -> assertThat(row.getInteger("units")).isEqualTo(3));
    assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE product_id = 'lim' AND status = 'CONFIRMED'").get(0)
        .getLong("n")).isEqualTo(60);
    assertThat(env.dbStock("lim")).isEqualTo(940);
    assertThat(env.ledger("lim", "available")).isEqualTo(940);
  }

  @Test
  void aLimitedProductNamesTheMissingCustomer() {
    createProduct("needs-customer", 10, new JsonObject().put("limitPerCustomer", 2));

    var reply = order("needs-customer", 1, null);

    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo("INVALID_REQUEST");
    assertThat(reply.bodyAsJsonObject().getJsonObject("fields").getString("customerId")).contains("is required");
    assertThat(env.ledger("needs-customer", "available")).isEqualTo(10);
  }

  @Test
  void aCustomerWhoseOrderIsCancelledMayBuyAgain() {
    createProduct("once", 10, new JsonObject().put("limitPerCustomer", 1));
    String first = awaitStatus(order("once", 1, "alice"), "CONFIRMED");
    assertThat(order("once", 1, "alice").statusCode()).isEqualTo(409);

    var cancelled = admin(HttpMethod.POST, "/admin/orders/" + first + "/cancel", null);
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("CANCELLED");
    assertThat(cancelled.bodyAsJsonObject().getString("cancelledAt")).isNotNull();

    awaitStatus(order("once", 1, "alice"), "CONFIRMED");
    assertThat(counted("once", "alice")).isEqualTo(1);
    assertThat(env.sql("SELECT units FROM customer_units WHERE product_id = 'once' AND customer_id = 'alice'")
        .get(0).getInteger("units")).isEqualTo(1);
    assertThat(env.dbStock("once")).isEqualTo(9);
    Waits.eventually(DEADLINE, "Redis available back to the DB stock", () -> env.ledger("once", "available") == 9);
  }

  /** The DB had fewer units than Redis (stock lowered in SQL behind Bolt's back): the refusal returns the count. */
  @Test
  void aCustomerWhoseOrderTheDatabaseRejectsMayBuyAgain() {
    createProduct("short", 5, new JsonObject().put("limitPerCustomer", 1));
    env.sql("UPDATE products SET stock = 0 WHERE id = 'short'");

    String refused = awaitStatus(order("short", 1, "bob"), "REJECTED");
    assertThat(http.get("/order/" + refused).bodyAsJsonObject().getString("reason")).isEqualTo("INSUFFICIENT_STOCK");
    Waits.eventually(DEADLINE, "bob's count released", () -> counted("short", "bob") == null);
    assertThat(env.sql("SELECT * FROM customer_units WHERE product_id = 'short'")).isEmpty();
    var notCancellable = admin(HttpMethod.POST, "/admin/orders/" + refused + "/cancel", null);
    assertThat(notCancellable.statusCode()).isEqualTo(409);
    assertThat(notCancellable.bodyAsJsonObject().getString("error")).isEqualTo("ORDER_NOT_CANCELLABLE");

    assertThat(admin(HttpMethod.POST, "/admin/products/short/restock", new JsonObject().put("quantity", 1)).statusCode())
        .isEqualTo(200);
    awaitStatus(order("short", 1, "bob"), "CONFIRMED");
  }

  @Test
  void theSaleWindowOpensAndClosesOnRedisClock() {
    Instant starts = Instant.now().plusMillis(1_500).truncatedTo(ChronoUnit.MILLIS);
    createProduct("window", 10, new JsonObject().put("saleStartsAt", starts.toString()));
    assertThat(http.get("/products/window").bodyAsJsonObject().getBoolean("saleOpen")).isFalse();

    var early = order("window", 1, null);
    assertThat(early.statusCode()).isEqualTo(403);
    assertThat(early.bodyAsJsonObject().getString("error")).isEqualTo("SALE_NOT_STARTED");
    assertThat(Instant.parse(early.bodyAsJsonObject().getString("startsAt"))).isEqualTo(starts);
    assertThat(Integer.parseInt(early.getHeader("Retry-After"))).isBetween(1, 2);
    assertThat(env.ledger("window", "available")).isEqualTo(10);

    Waits.eventually(Duration.ofSeconds(10), "the sale open", () -> order("window", 1, null).statusCode() == 202);
    assertThat(Instant.now()).isAfterOrEqualTo(starts.minusMillis(100));
    JsonObject shown = http.get("/products/window").bodyAsJsonObject();
    assertThat(shown.getBoolean("saleOpen")).isTrue();
    assertThat(shown.getString("saleStartsAt")).isEqualTo(starts.toString());

    Instant ends = Instant.now().plusMillis(800).truncatedTo(ChronoUnit.MILLIS);
    var patched = admin(HttpMethod.PATCH, "/admin/products/window", new JsonObject().put("saleEndsAt", ends.toString()));
    assertThat(patched.statusCode()).as(patched.bodyAsString()).isEqualTo(200);
    Waits.eventually(Duration.ofSeconds(10), "the sale ended", () -> order("window", 1, null).statusCode() == 403);
    var late = order("window", 1, null);
    assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("SALE_ENDED");
    assertThat(Instant.parse(late.bodyAsJsonObject().getString("endsAt"))).isEqualTo(ends);
    assertThat(http.get("/products/window").bodyAsJsonObject().getBoolean("saleOpen")).isFalse();
  }

  @Test
  void aPatchedRuleHoldsForTheNextRequestAndCanBeRemoved() {
    createProduct("patched", 10, new JsonObject());
    assertThat(order("patched", 1, null).statusCode()).isEqualTo(202);

    var limited = admin(HttpMethod.PATCH, "/admin/products/patched",
        new JsonObject().put("limitPerCustomer", 1).put("name", "Patched"));
    assertThat(limited.statusCode()).as(limited.bodyAsString()).isEqualTo(200);
    assertThat(limited.bodyAsJsonObject().getInteger("limitPerCustomer")).isEqualTo(1);
    assertThat(limited.bodyAsJsonObject().getString("name")).isEqualTo("Patched");
    assertThat(order("patched", 1, null).statusCode()).as("a customer is needed now").isEqualTo(400);

    var removed = admin(HttpMethod.PATCH, "/admin/products/patched", new JsonObject().putNull("limitPerCustomer"));
    assertThat(removed.bodyAsJsonObject().getValue("limitPerCustomer")).isNull();
    assertThat(order("patched", 1, null).statusCode()).isEqualTo(202);
    assertThat(http.get("/products/patched").bodyAsJsonObject().getString("name")).isEqualTo("Patched");
  }

  @Test
  void cancellingTwiceAnswersTheSameOrderAndGivesTheUnitsBackOnce() {
    createProduct("twice", 10, new JsonObject());
    String id = awaitStatus(order("twice", 3, null), "CONFIRMED");

    List<Future<HttpResponse<Buffer>>> cancels = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      cancels.add(http.sendAsync(HttpMethod.POST, "/admin/orders/" + id + "/cancel", null,
          "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN));
    }
    Waits.await(Future.join(cancels));

    assertThat(cancels).allSatisfy(reply -> {
      assertThat(reply.result().statusCode()).isEqualTo(200);
      assertThat(reply.result().bodyAsJsonObject().getString("status")).isEqualTo("CANCELLED");
    });
    assertThat(cancels.stream().filter(reply -> reply.result().getHeader("Idempotent-Replayed") == null).count())
        .as("cancellations that did it").isEqualTo(1);
    assertThat(env.dbStock("twice")).isEqualTo(10);
    Waits.eventually(DEADLINE, "Redis available 10", () -> env.ledger("twice", "available") == 10);
    assertThat(http.get("/order/" + id).bodyAsJsonObject().getString("status")).isEqualTo("CANCELLED");
    assertThat(env.sql("SELECT count(*) AS n FROM stock_changes WHERE kind = 'CANCEL' AND product_id = 'twice'")
        .get(0).getLong("n")).isEqualTo(1);
  }

  @Test
  void unknownAndMalformedOrderIdsAnswer404And400() {
    assertThat(admin(HttpMethod.POST, "/admin/orders/" + OrderIds.next() + "/cancel", null).statusCode()).isEqualTo(404);
    assertThat(admin(HttpMethod.POST, "/admin/orders/" + OrderIds.next() + "/pay", null).statusCode()).isEqualTo(404);
    var malformed = admin(HttpMethod.POST, "/admin/orders/not-a-uuid/cancel", null);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.bodyAsJsonObject().getString("error")).isEqualTo("INVALID_ORDER_ID");
    assertThat(http.send(HttpMethod.POST, "/admin/orders/" + OrderIds.next() + "/cancel", null).statusCode())
        .as("without the token").isEqualTo(401);
  }
}
