package bolt.http;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API: off without a token, bearer-token guarded with one; product creation, restock that
 * moves DB stock and Redis available by the same delta (also with units in flight), recent orders.
 * Both Bolts run the HTTP role only, so reserved units stay in flight.
 */
class AdminTest {

  private static final String[] ADMIN = Http.bearer(TestEnv.ADMIN_TOKEN);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static Http admin;
  private static Http disabled;

  @BeforeAll
  static void start() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct("plain", 10);
    // only the refused requests aim at this one, so its stock must never move
    env.createProduct("guarded", 10);
    env.createProduct("busy", 20);
    admin = new Http(vertx, env.start(Map.of("BOLT_ROLES", "http")).httpPort());
    disabled = new Http(vertx, env.start(Map.of("BOLT_ROLES", "http", "BOLT_ADMIN_TOKEN", "")).httpPort());
  }

  @AfterAll
  static void stop() {
    admin.close();
    disabled.close();
  }

  private static HttpResponse<Buffer> post(Http http, String path, JsonObject body, String... headers) {
    return http.post(path, body, headers);
  }

  private static void assertError(HttpResponse<Buffer> reply, int status, String error) {
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(status);
    assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo(error);
    assertThat(reply.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  @Test
  void withoutAConfiguredTokenEveryAdminRouteIsDisabled() {
    JsonObject product = new JsonObject().put("id", "x1").put("name", "X").put("stock", 1);
    assertError(post(disabled, "/admin/products", product, ADMIN), 403, "ADMIN_DISABLED");
    assertError(post(disabled, "/admin/products/guarded/restock", new JsonObject().put("quantity", 1), ADMIN),
        403, "ADMIN_DISABLED");
    assertError(disabled.get("/admin/orders", ADMIN), 403, "ADMIN_DISABLED");
    // an empty bearer token must not match the empty configured token
    assertError(disabled.get("/admin/orders", "Authorization", "Bearer "), 403, "ADMIN_DISABLED");
    assertThat(env.dbStock("guarded")).isEqualTo(10);
    assertThat(env.ledger("guarded", "available")).isEqualTo(10);
    assertThat(env.sql("SELECT 1 FROM products WHERE id = 'x1'")).isEmpty();
  }

  @Test
  void aValidBearerTokenIsRequired() {
    assertError(admin.get("/admin/orders"), 401, "UNAUTHORIZED");
    assertError(admin.get("/admin/orders", "Authorization", "Bearer wrong-token"), 401, "UNAUTHORIZED");
    assertError(admin.get("/admin/orders", "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN + "x"), 401, "UNAUTHORIZED");
    assertError(admin.get("/admin/orders", "Authorization", "Basic " + TestEnv.ADMIN_TOKEN), 401, "UNAUTHORIZED");
    assertError(admin.get("/admin/orders", "Authorization", TestEnv.ADMIN_TOKEN), 401, "UNAUTHORIZED");
    assertError(post(admin, "/admin/products/guarded/restock", new JsonObject().put("quantity", 5)), 401, "UNAUTHORIZED");
    assertThat(env.dbStock("guarded")).isEqualTo(10);
    assertThat(env.ledger("guarded", "available")).isEqualTo(10);

    assertThat(admin.get("/admin/orders", ADMIN).statusCode()).isEqualTo(200);
  }

  @Test
  void createsAProductOnceAndItIsForSaleAtOnce() {
    var created = post(admin, "/admin/products", new JsonObject().put("id", "fresh").put("name", "Fresh").put("stock", 12), ADMIN);

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.getHeader("Location")).isEqualTo("/products/fresh");
    var shown = admin.get("/products/fresh").bodyAsJsonObject();
    assertThat(shown.getString("name")).isEqualTo("Fresh");
    assertThat(shown.getLong("stock")).isEqualTo(12);
    assertThat(shown.getLong("available")).isEqualTo(12);
    assertThat(env.dbStock("fresh")).isEqualTo(12);
    assertThat(env.ledger("fresh", "available")).isEqualTo(12);
    assertThat(env.ledger("fresh", "inflight")).isZero();
    assertThat(env.ledger("fresh", "dbstock")).isEqualTo(12);
    assertThat(admin.post("/order", new JsonObject().put("productId", "fresh").put("quantity", 1)).statusCode())
        .isEqualTo(202);

    var again = post(admin, "/admin/products", new JsonObject().put("id", "fresh").put("name", "Other").put("stock", 99), ADMIN);
    assertError(again, 409, "PRODUCT_EXISTS");
    assertThat(env.dbStock("fresh")).isEqualTo(12);
    assertThat(env.ledger("fresh", "available")).isEqualTo(11);
  }

  @Test
  void restockMovesDatabaseAndRedisByTheSameDelta() {
    long db = env.dbStock("plain");
    long available = env.ledger("plain", "available");

    var reply = post(admin, "/admin/products/plain/restock", new JsonObject().put("quantity", 7), ADMIN);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(env.dbStock("plain")).isEqualTo(db + 7);
    assertThat(env.ledger("plain", "available")).isEqualTo(available + 7);
    assertThat(reply.bodyAsJsonObject().getLong("stock")).isEqualTo(db + 7);
    assertThat(reply.bodyAsJsonObject().getLong("available")).isEqualTo(available + 7);
  }

  @Test
  void restockWithUnitsInFlightKeepsTheReservation() {
    // 3 units reserved and queued, not yet written (no worker runs): the DB still says 20
    assertThat(admin.post("/order", new JsonObject().put("productId", "busy").put("quantity", 3)).statusCode())
        .isEqualTo(202);

    var reply = post(admin, "/admin/products/busy/restock", new JsonObject().put("quantity", 7), ADMIN);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(env.dbStock("busy")).isEqualTo(27);
    assertThat(env.ledger("busy", "available")).isEqualTo(24);
    assertThat(env.ledger("busy", "inflight")).isEqualTo(3);
    assertThat(env.ledger("busy", "dbstock")).isEqualTo(27);
    assertThat(reply.bodyAsJsonObject().getLong("available")).isEqualTo(24);
  }

  @Test
  void restockOfAnUnknownProductIsNotFound() {
    var reply = post(admin, "/admin/products/ghost/restock", new JsonObject().put("quantity", 7), ADMIN);
    assertError(reply, 404, "UNKNOWN_PRODUCT");
    assertThat(env.sql("SELECT 1 FROM products WHERE id = 'ghost'")).isEmpty();
  }

  @Test
  void recentOrdersAreNewestFirstAndLimited() {
    OffsetDateTime base = OffsetDateTime.of(2030, 1, 1, 12, 0, 0, 0, ZoneOffset.UTC);
    UUID oldest = insertOrder(base.minusMinutes(2));
    UUID middle = insertOrder(base.minusMinutes(1));
    UUID newest = insertOrder(base);

    JsonArray two = admin.get("/admin/orders?limit=2", ADMIN).bodyAsJsonArray();

    assertThat(two.size()).isEqualTo(2);
    assertThat(two.getJsonObject(0).getString("orderId")).isEqualTo(newest.toString());
    assertThat(two.getJsonObject(1).getString("orderId")).isEqualTo(middle.toString());
    assertThat(two.getJsonObject(0).getString("status")).isEqualTo("CONFIRMED");
    JsonArray all = admin.get("/admin/orders?limit=1000", ADMIN).bodyAsJsonArray();
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("orderId"))).contains(oldest.toString());

    for (String bad : new String[] {"0", "abc", "-1", "1001", "2.5"}) {
      var reply = admin.get("/admin/orders?limit=" + bad, ADMIN);
      assertError(reply, 400, "INVALID_REQUEST");
      assertThat(reply.bodyAsJsonObject().getJsonObject("fields").getString("limit")).isNotBlank();
    }
  }

  private static UUID insertOrder(OffsetDateTime createdAt) {
    // the time-ordered id (UUIDv7) Bolt would have given an order created at that moment
    long millis = createdAt.toInstant().toEpochMilli();
    UUID id = new UUID((millis << 16) | 0x7000L, 0x8000000000000000L | (ThreadLocalRandom.current().nextLong() >>> 2));
    env.sql("INSERT INTO orders (id, product_id, quantity, status, created_at) VALUES ($1, 'plain', 1, 'CONFIRMED', $2)",
        id, createdAt);
    return id;
  }

  @Test
  void adminRoutesAnswerWrongMethodsWithJson() {
    var reply = admin.send(HttpMethod.DELETE, "/admin/products", null, ADMIN);
    assertError(reply, 405, "METHOD_NOT_ALLOWED");
  }
}
