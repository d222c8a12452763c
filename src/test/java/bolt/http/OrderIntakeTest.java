package bolt.http;

import bolt.support.RawHttp;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /order has two ways in: the {@link OrderIntake} takes a plainly framed body (Content-Length),
 * the router takes the rest (here: the same body chunked). A client must not be able to tell them
 * apart: every answer, refusals from the sold-out memory included, is the same either way.
 */
class OrderIntakeTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static int port;

  @BeforeAll
  static void start() {
    env = world.env();
    env.createProduct("plenty", 1_000_000);
    env.createProduct("gone", 0);
    port = env.start(Map.of("BOLT_ROLES", "http")).httpPort();
  }

  private static String withLength(String body, String... headers) {
    return "POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n" + String.join("", headers)
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private static String chunked(String body, String... headers) {
    return "POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n" + String.join("", headers)
        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"productId\":\"gone\",\"quantity\":1}",
      "{\"productId\":\"gone\",\"quantity\":7}",
      "{\"productId\":\"nosuch\",\"quantity\":1}",
      "{\"productId\":\"plenty\",\"quantity\":0}",
      "{\"productId\":\"plenty\"}",
      "{\"quantity\":1.5,\"customerId\":7}",
      "{\"productId\":\"p 1\",\"quantity\":1}",
      "{bad",
      "[1]",
      "{\"productId\":\"plenty\",\"quantity\":1,\"productId\":\"gone\"}",
  })
  void refusalsAreTheSameEitherWay(String body) {
    // twice each: the second refusal of a sold-out product comes from the memory
    for (int round = 0; round < 2; round++) {
      RawHttp.Reply intake = RawHttp.exchange(port, withLength(body));
      RawHttp.Reply router = RawHttp.exchange(port, chunked(body));
      assertThat(intake.status()).as(body).isBetween(400, 499).isEqualTo(router.status());
      assertThat(intake.json()).as(body).isEqualTo(router.json());
      assertThat(intake.header("Content-Type")).isEqualTo("application/json");
    }
  }

  @Test
  void soldOutRefusalsFromMemoryNameTheProductAndQuantity() {
    for (String body : new String[] {"{\"productId\":\"gone\",\"quantity\":3}", "{\"productId\":\"gone\",\"quantity\":1}"}) {
      long before = env.refusedFromMemory();
      RawHttp.exchange(port, withLength(body));
      RawHttp.Reply remembered = RawHttp.exchange(port, withLength(body));
      assertThat(env.refusedFromMemory()).as("answered from memory").isGreaterThan(before);
      JsonObject order = new JsonObject(body);
      assertThat(remembered.status()).isEqualTo(400);
      assertThat(remembered.json()).isEqualTo(new JsonObject().put("error", "INSUFFICIENT_STOCK")
          .put("message", "only 0 left of gone, asked for " + order.getInteger("quantity"))
          .put("available", 0).put("requested", order.getInteger("quantity")));
    }
  }

  @Test
  void acceptedOrdersAreTheSameEitherWay() {
    String body = "{\"productId\":\"plenty\",\"quantity\":2,\"customerId\":\"c1\"}";
    RawHttp.Reply intake = RawHttp.exchange(port, withLength(body));
    RawHttp.Reply router = RawHttp.exchange(port, chunked(body));
    for (RawHttp.Reply reply : new RawHttp.Reply[] {intake, router}) {
      assertThat(reply.status()).isEqualTo(202);
      JsonObject answer = reply.json();
      assertThat(reply.header("Location")).isEqualTo("/order/" + answer.getString("orderId"));
      assertThat(answer.fieldNames()).containsExactlyInAnyOrder("orderId", "status", "productId", "quantity", "available");
      assertThat(answer.getString("status")).isEqualTo("PENDING");
      assertThat(answer.getInteger("quantity")).isEqualTo(2);
    }
    assertThat(intake.json().getLong("available") - router.json().getLong("available")).isEqualTo(2);
  }

  @Test
  void idempotentReplaysAreTheSameEitherWay() {
    String body = "{\"productId\":\"plenty\",\"quantity\":1}";
    RawHttp.Reply first = RawHttp.exchange(port, withLength(body, "Idempotency-Key: intake-k1\r\n"));
    RawHttp.Reply viaIntake = RawHttp.exchange(port, withLength(body, "Idempotency-Key: intake-k1\r\n"));
    RawHttp.Reply viaRouter = RawHttp.exchange(port, chunked(body, "Idempotency-Key: intake-k1\r\n"));
    assertThat(first.status()).isEqualTo(202);
    for (RawHttp.Reply replay : new RawHttp.Reply[] {viaIntake, viaRouter}) {
      assertThat(replay.status()).isEqualTo(202);
      assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(replay.json()).isEqualTo(first.json());
    }
  }

  /** JSON is UTF-8: the same document in UTF-16 (ASCII bytes with NULs between) is not read as JSON. */
  @Test
  void utf16IsNotJson() {
    String utf16 = "{\"productId\":\"plenty\",\"quantity\":1}".replaceAll("(.)", "$1\u0000");
    RawHttp.Reply reply = RawHttp.exchange(port, withLength(utf16));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().getString("error")).isEqualTo("MALFORMED_JSON");
  }

  @Test
  void bothWaysAreKeptAliveOnOneConnection() {
    String body = "{\"productId\":\"gone\",\"quantity\":1}";
    try (RawHttp http = new RawHttp(port)) {
      for (int i = 0; i < 3; i++) {
        assertThat(http.send(withLength(body)).read().status()).isEqualTo(400);
        assertThat(http.send(chunked(body)).read().status()).isEqualTo(400);
      }
    }
  }
}
