package bolt.http;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Malformed and hostile input: each gets a 4xx whose JSON body names the problem (and the bad field),
 * never a 500 and never a stack trace.
 */
class BadRequestTest {

  private static final String JSON = "application/json";
  private static final String LONG_65 = "x".repeat(65);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static Http http;

  /** A request to send: body null means none; headers as name/value pairs. */
  private record Call(HttpMethod method, String path, String body, String... headers) {
    @Override
    public String toString() {
      return method + " " + path + " " + (body == null ? "" : body.length() > 80 ? body.substring(0, 80) + "..." : body);
    }
  }

  private static Call order(String body) {
    return new Call(HttpMethod.POST, "/order", body, "Content-Type", JSON);
  }

  /** {@code field} is the name INVALID_REQUEST must list under "fields" (null for other codes). */
  static Stream<Arguments> badRequests() {
    String big = "{\"productId\":\"p1\",\"quantity\":1,\"pad\":\"" + "x".repeat(17 * 1024) + "\"}";
    return Stream.of(
        arguments("missing productId", order("{\"quantity\":1}"), 400, "INVALID_REQUEST", "productId"),
        arguments("missing quantity", order("{\"productId\":\"p1\"}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity 1.5", order("{\"productId\":\"p1\",\"quantity\":1.5}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity 0", order("{\"productId\":\"p1\",\"quantity\":0}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity -1", order("{\"productId\":\"p1\",\"quantity\":-1}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity \"3\"", order("{\"productId\":\"p1\",\"quantity\":\"3\"}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity 1001", order("{\"productId\":\"p1\",\"quantity\":1001}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity 2^40", order("{\"productId\":\"p1\",\"quantity\":1099511627776}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity true", order("{\"productId\":\"p1\",\"quantity\":true}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("quantity null", order("{\"productId\":\"p1\",\"quantity\":null}"), 400, "INVALID_REQUEST", "quantity"),
        arguments("productId number", order("{\"productId\":123,\"quantity\":1}"), 400, "INVALID_REQUEST", "productId"),
        arguments("productId empty", order("{\"productId\":\"\",\"quantity\":1}"), 400, "INVALID_REQUEST", "productId"),
        arguments("productId 65 chars", order("{\"productId\":\"" + LONG_65 + "\",\"quantity\":1}"), 400, "INVALID_REQUEST", "productId"),
        arguments("productId with space", order("{\"productId\":\"p 1\",\"quantity\":1}"), 400, "INVALID_REQUEST", "productId"),
        arguments("productId with brace", order("{\"productId\":\"p}{1\",\"quantity\":1}"), 400, "INVALID_REQUEST", "productId"),
        arguments("customerId 65 chars", order("{\"productId\":\"p1\",\"quantity\":1,\"customerId\":\"" + LONG_65 + "\"}"), 400, "INVALID_REQUEST", "customerId"),
        arguments("customerId number", order("{\"productId\":\"p1\",\"quantity\":1,\"customerId\":7}"), 400, "INVALID_REQUEST", "customerId"),
        arguments("unknown fields ignored", order("{\"productId\":\"p1\",\"quantity\":1,\"coupon\":\"FREE\",\"price\":0}"), 202, null, null),
        arguments("malformed JSON", order("{bad"), 400, "MALFORMED_JSON", null),
        arguments("JSON array", order("[{\"productId\":\"p1\",\"quantity\":1}]"), 400, "MALFORMED_JSON", null),
        arguments("JSON string", order("\"p1\""), 400, "MALFORMED_JSON", null),
        arguments("empty body", order(""), 400, "MALFORMED_JSON", null),
        arguments("body over 16 KiB", order(big), 413, "PAYLOAD_TOO_LARGE", null),
        arguments("text/plain", new Call(HttpMethod.POST, "/order", "{\"productId\":\"p1\",\"quantity\":1}", "Content-Type", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE", null),
        arguments("no Content-Type", new Call(HttpMethod.POST, "/order", "{\"productId\":\"p1\",\"quantity\":1}"), 415, "UNSUPPORTED_MEDIA_TYPE", null),
        arguments("Idempotency-Key 129 chars", new Call(HttpMethod.POST, "/order", "{\"productId\":\"p1\",\"quantity\":1}", "Content-Type", JSON, "Idempotency-Key", "k".repeat(129)), 400, "INVALID_REQUEST", "Idempotency-Key"),
        arguments("unknown product", order("{\"productId\":\"nope\",\"quantity\":1}"), 404, "UNKNOWN_PRODUCT", null),
        arguments("order id not a UUID", new Call(HttpMethod.GET, "/order/not-a-uuid", null), 400, "INVALID_ORDER_ID", null),
        arguments("order id unknown", new Call(HttpMethod.GET, "/order/00000000-0000-7000-8000-000000000000", null), 404, "NOT_FOUND", null),
        arguments("unknown path", new Call(HttpMethod.GET, "/orders/everything", null), 404, "NOT_FOUND", null),
        arguments("DELETE /order", new Call(HttpMethod.DELETE, "/order", null), 405, "METHOD_NOT_ALLOWED", null),
        arguments("unknown product read", new Call(HttpMethod.GET, "/products/nope", null), 404, "UNKNOWN_PRODUCT", null),
        arguments("restock quantity \"x\"", new Call(HttpMethod.POST, "/admin/products/p1/restock", "{\"quantity\":\"x\"}",
            "Content-Type", JSON, "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN), 400, "INVALID_REQUEST", "quantity"),
        arguments("create product stock -1", new Call(HttpMethod.POST, "/admin/products", "{\"id\":\"p9\",\"name\":\"n\",\"stock\":-1}",
            "Content-Type", JSON, "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN), 400, "INVALID_REQUEST", "stock"));
  }

  @BeforeAll
  static void start() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct("p1", 1_000);
    var config = env.start(Map.of("BOLT_ROLES", "http"));
    http = new Http(vertx, config.httpPort());
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  @ParameterizedTest(name = "{0} -> {2} {3}")
  @MethodSource("badRequests")
  void answersWithAJsonErrorNamingTheProblem(String name, Call call, int status, String error, String field) {
    var reply = http.send(call.method(), call.path(), call.body() == null ? null : Buffer.buffer(call.body()),
        call.headers());
    String text = reply.bodyAsString() == null ? "" : reply.bodyAsString();

    assertThat(reply.statusCode()).as(text).isEqualTo(status);
    assertThat(reply.getHeader("Content-Type")).startsWith(JSON);
    assertThat(text).doesNotContain("Exception", "at bolt.", "at io.vertx", "\tat ");
    JsonObject body = new JsonObject(text);
    if (status == 202) {
      assertThat(body.getString("status")).isEqualTo("PENDING");
      return;
    }
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("message")).isNotBlank();
    if (error.equals("INVALID_REQUEST")) {
      assertThat(body.getJsonObject("fields").fieldNames()).as(text).contains(field);
      assertThat(body.getJsonObject("fields").getString(field)).isNotBlank();
    }
  }
}
