package bolt.http;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
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

/** Every sale-rule field validated with a JSON 400 naming it (or a 404 for an unknown product); never a 500. */
class SaleRuleInputTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Http http;

  @BeforeAll
  static void start() {
    TestEnv env = world.env();
    env.createProduct("p", 10);
    env.sql("UPDATE products SET sale_starts_at = '2030-01-01T00:00:00Z' WHERE id = 'p'");
    http = new Http(world.vertx(), env.start(Map.of("BOLT_ROLES", "http")).httpPort());
  }

  @AfterAll
  static void close() {
    http.close();
  }

  private static JsonObject product(String id, Object... fields) {
    JsonObject body = new JsonObject().put("id", id).put("name", id).put("stock", 5);
    for (int i = 0; i + 1 < fields.length; i += 2) {
      body.put((String) fields[i], fields[i + 1]);
    }
    return body;
  }

  static Stream<Arguments> badRules() {
    return Stream.of(
        arguments("limit 0", HttpMethod.POST, "/admin/products", product("a", "limitPerCustomer", 0), 400, "limitPerCustomer"),
        arguments("limit -1", HttpMethod.POST, "/admin/products", product("b", "limitPerCustomer", -1), 400, "limitPerCustomer"),
        arguments("limit 1.5", HttpMethod.POST, "/admin/products", product("c", "limitPerCustomer", 1.5), 400, "limitPerCustomer"),
        arguments("limit \"2\"", HttpMethod.POST, "/admin/products", product("d", "limitPerCustomer", "2"), 400, "limitPerCustomer"),
        arguments("window ends before it starts", HttpMethod.POST, "/admin/products",
            product("e", "saleStartsAt", "2030-01-02T00:00:00Z", "saleEndsAt", "2030-01-01T00:00:00Z"), 400, "saleEndsAt"),
        arguments("window ends as it starts", HttpMethod.POST, "/admin/products",
            product("f", "saleStartsAt", "2030-01-01T00:00:00Z", "saleEndsAt", "2030-01-01T00:00:00Z"), 400, "saleEndsAt"),
        arguments("unparseable instant", HttpMethod.POST, "/admin/products", product("g", "saleStartsAt", "tomorrow"), 400, "saleStartsAt"),
        arguments("instant without offset", HttpMethod.POST, "/admin/products",
            product("h", "saleEndsAt", "2030-01-01T00:00:00"), 400, "saleEndsAt"),
        arguments("instant as a number", HttpMethod.POST, "/admin/products", product("i", "saleEndsAt", 1893456000), 400, "saleEndsAt"),
        arguments("hold 0", HttpMethod.POST, "/admin/products", product("j", "holdSeconds", 0), 400, "holdSeconds"),
        arguments("hold past 7 days", HttpMethod.POST, "/admin/products", product("k", "holdSeconds", 7 * 86_400 + 1), 400, "holdSeconds"),
        arguments("patch of stock", HttpMethod.PATCH, "/admin/products/p", new JsonObject().put("stock", 50), 400, "stock"),
        arguments("patch of a limit of 0", HttpMethod.PATCH, "/admin/products/p", new JsonObject().put("limitPerCustomer", 0), 400, "limitPerCustomer"),
        arguments("patch of a name of null", HttpMethod.PATCH, "/admin/products/p", new JsonObject().putNull("name"), 400, "name"),
        arguments("patch: ends before the start in place", HttpMethod.PATCH, "/admin/products/p",
            new JsonObject().put("saleEndsAt", "2029-12-31T00:00:00Z"), 400, "saleEndsAt"),
        arguments("patch of an unknown product", HttpMethod.PATCH, "/admin/products/nope", new JsonObject().put("name", "x"), 404, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRules")
  void badRuleFieldsAreNamed(String name, HttpMethod method, String path, JsonObject body, int status, String field) {
    var reply = http.send(method, path, body.toBuffer(), "Content-Type", "application/json",
        "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN);

    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(status);
    JsonObject error = reply.bodyAsJsonObject();
    if (field == null) {
      assertThat(error.getString("error")).isEqualTo("UNKNOWN_PRODUCT");
    } else {
      assertThat(error.getString("error")).isEqualTo("INVALID_REQUEST");
      assertThat(error.getJsonObject("fields").getString(field)).as("the problem with " + field).isNotBlank();
    }
    assertThat(http.get("/products/p").bodyAsJsonObject().getString("saleStartsAt"))
        .as("nothing changed").isEqualTo("2030-01-01T00:00:00Z");
  }
}
