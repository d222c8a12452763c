package bolt.http;

import bolt.support.LogCapture;
import bolt.support.RawHttp;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The hostile requests of issue 8, replayed over a raw socket against a Bolt running in this JVM:
 * each gets the status HTTP calls for and a JSON error body naming the problem, the connection is
 * closed where the request cannot be read further and kept where it can, and the log gains no ERROR
 * line, no stack trace, and nothing from the HTTP edge above DEBUG.
 */
class HostileRequestTest {

  private static final String ORDER = "{\"productId\":\"p1\",\"quantity\":1}";
  private static final String ADMIN = "Authorization: Bearer " + TestEnv.ADMIN_TOKEN + "\r\n";
  private static final long HEADER_TIMEOUT_MS = 1_000;
  private static final long IDLE_TIMEOUT_MS = 2_000;
  private static final long BODY_TIMEOUT_MS = 1_000;
  /** Longer than any answer takes, shorter than the idle timeout: a close within it is the answer's. */
  private static final Duration CLOSES_WITHIN = Duration.ofMillis(1_500);
  private static final int STOCK = 1_000;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static int port;
  private static LogCapture log;
  private static int accepted;

  @BeforeAll
  static void start() {
    env = world.env();
    env.createProduct("p1", STOCK);
    env.createProduct("big", Integer.MAX_VALUE - 1_000);
    port = env.start(Map.of("BOLT_ROLES", "http",
        "BOLT_HTTP_HEADER_TIMEOUT_MS", String.valueOf(HEADER_TIMEOUT_MS),
        "BOLT_HTTP_IDLE_TIMEOUT_MS", String.valueOf(IDLE_TIMEOUT_MS),
        "BOLT_HTTP_BODY_TIMEOUT_MS", String.valueOf(BODY_TIMEOUT_MS))).httpPort();
    log = LogCapture.attach();
  }

  @AfterAll
  static void stop() {
    log.close();
    // nothing but the orders answered 202 reserved a unit
    assertThat(env.ledger("p1", "available")).isEqualTo(STOCK - accepted);
    assertThat(env.dbStock("p1")).isEqualTo(STOCK);
  }

  @BeforeEach
  void clearLog() {
    log.clear();
  }

  @AfterEach
  void logStaysQuiet() {
    assertThat(log.errorsAndStackTraces()).as("ERROR lines and stack traces").isEmpty();
    assertThat(log.linesFrom(Level.INFO, "bolt.http", "io.vertx", "io.netty")).as("HTTP edge lines above DEBUG").isEmpty();
  }

  static String get(String target, String... headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: bolt\r\n" + String.join("", headers) + "\r\n";
  }

  /** A POST with a correct Content-Length for {@code body}, whose chars are bytes (ISO-8859-1). */
  static String post(String target, String contentType, String body, String... headers) {
    return "POST " + target + " HTTP/1.1\r\nHost: bolt\r\nContent-Type: " + contentType + "\r\n" + String.join("", headers)
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  static String utf8(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  static Stream<Arguments> rows() {
    String chunkedOrder = Integer.toHexString(ORDER.length()) + "\r\n" + ORDER + "\r\n0\r\n\r\n";
    return Stream.of(
        row("NUL in a product id", get("/products/p1%00"), 400, "INVALID_PRODUCT_ID", false),
        row("NUL in a restocked product id", post("/admin/products/p1%00/restock", "application/json",
            "{\"quantity\":1}", ADMIN), 400, "INVALID_PRODUCT_ID", false),
        row("bad percent-encoding in a query value", get("/admin/orders?limit=%ZZ", ADMIN), 400, "INVALID_QUERY", false),
        row("bad percent-encoding in a query name", get("/admin/orders?%ZZ=1", ADMIN), 400, "INVALID_QUERY", false),
        row("bad percent-encoding in the path", get("/products/%ZZ"), 400, "INVALID_TARGET", false),
        row("HTTP/1.1 without Host", "GET /products HTTP/1.1\r\n\r\n", 400, "MISSING_HOST", false),
        row("an invalid Host", "GET /products HTTP/1.1\r\nHost: bolt:port\r\n\r\n", 400, "INVALID_HOST", false),
        row("an order with an invalid Host", "POST /order HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + ORDER.length() + "\r\n\r\n" + ORDER, 400, "INVALID_HOST", true),
        row("an order without Host", "POST /order HTTP/1.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + ORDER.length() + "\r\n\r\n" + ORDER, 400, "MISSING_HOST", true),
        row("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: bolt\r\n\r\n", 405, "METHOD_NOT_ALLOWED", false),
        row("CONNECT host:port", "CONNECT bolt:443 HTTP/1.1\r\nHost: bolt:443\r\n\r\n", 405, "METHOD_NOT_ALLOWED", false),
        row("a target without a leading slash", get("products"), 400, "INVALID_TARGET", false),
        row("a method the resource lacks", "DELETE /order HTTP/1.1\r\nHost: bolt\r\n\r\n", 405, "METHOD_NOT_ALLOWED", false),
        row("Expect: foo", post("/order", "application/json", ORDER, "Expect: foo\r\n"), 417, "EXPECTATION_FAILED", true),
        row("413 before the body is read", "POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n"
            + "Content-Length: 20000\r\n\r\n", 413, "PAYLOAD_TOO_LARGE", true),
        row("codec 400: a header line without a colon", "GET /products HTTP/1.1\r\nHost: bolt\r\nno colon here\r\n\r\n",
            400, "MALFORMED_REQUEST", true),
        row("codec 414: a request line over 4096 bytes", get("/products/" + "x".repeat(5_000)), 414, "URI_TOO_LONG", true),
        row("codec 431: headers over 8192 bytes", get("/products", "X-Big: " + "x".repeat(9_000) + "\r\n"),
            431, "HEADERS_TOO_LARGE", true),
        row("codec 501: HTTP/1.2", "GET /products HTTP/1.2\r\nHost: bolt\r\n\r\n", 501, "HTTP_VERSION_NOT_SUPPORTED", true),
        row("application/jsonp", post("/order", "application/jsonp", ORDER), 415, "UNSUPPORTED_MEDIA_TYPE", true),
        row("application/json-patch+json", post("/order", "application/json-patch+json", ORDER),
            415, "UNSUPPORTED_MEDIA_TYPE", true),
        row("a lone surrogate escape", post("/order", "application/json",
            "{\"productId\":\"p1\",\"quantity\":1,\"customerId\":\"a\\ud800b\"}"), 400, "MALFORMED_JSON", false),
        row("overlong UTF-8 C0 AF", post("/order", "application/json",
            "{\"productId\":\"p1\",\"quantity\":1,\"customerId\":\"a\u00c0\u00afb\"}"), 400, "MALFORMED_JSON", false),
        row("an encoded surrogate ED A0 80", post("/order", "application/json",
            "{\"productId\":\"p1\",\"quantity\":1,\"customerId\":\"a\u00ed\u00a0\u0080b\"}"), 400, "MALFORMED_JSON", false),
        row("a comment", post("/order", "application/json", "{\"productId\":\"p1\", /* one */ \"quantity\":1}"),
            400, "MALFORMED_JSON", false),
        row("a duplicate key", post("/order", "application/json", "{\"productId\":\"p1\",\"quantity\":1,\"quantity\":2}"),
            400, "MALFORMED_JSON", false),
        row("Transfer-Encoding: gzip, chunked", "POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunkedOrder, 501, "UNSUPPORTED_TRANSFER_ENCODING", true),
        row("Transfer-Encoding: xchunked with Content-Length", post("/order", "application/json", ORDER,
            "Transfer-Encoding: xchunked\r\n"), 400, "BAD_TRANSFER_ENCODING", true),
        row("a chunk size that is not hex", "POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n" + ORDER + "\r\n0\r\n\r\n", 400, "MALFORMED_BODY", true));
  }

  private static Arguments row(String name, String request, int status, String error, boolean closes) {
    return arguments(name, request, status, error, closes);
  }

  @ParameterizedTest(name = "{0} -> {2} {3}")
  @MethodSource("rows")
  void answersWithTheStatusHttpCallsForAndAJsonBody(String name, String request, int status, String error,
                                                   boolean closes) {
    long malformedHeads = env.edge().malformedHeads();
    long malformedBodies = env.edge().malformedBodies();
    try (RawHttp http = new RawHttp(port)) {
      RawHttp.Reply reply = http.send(request).read();

      assertThat(reply.status()).as(reply.text()).isEqualTo(status);
      assertThat(reply.header("Content-Type")).isEqualTo("application/json");
      assertThat(reply.json().getString("error")).isEqualTo(error);
      assertThat(reply.json().getString("message")).isNotBlank();
      assertThat(reply.text()).doesNotContain("Exception", "\tat ");
      if (status == 405) {
        assertThat(reply.header("Allow")).isNotBlank();
      }
      if (closes) {
        assertThat(reply.header("Connection")).isEqualTo("close");
        assertThat(http.closedByServer(CLOSES_WITHIN)).as("connection closed after the answer").isTrue();
      } else {
        // the connection still serves: the error left nothing unread on it
        assertThat(http.send(get("/health/live")).read().status()).isEqualTo(200);
      }
    }
    // what the codec could not read is counted (for metrics), not logged
    boolean codecError = List.of("MALFORMED_REQUEST", "URI_TOO_LONG", "HEADERS_TOO_LARGE", "HTTP_VERSION_NOT_SUPPORTED")
        .contains(error);
    assertThat(env.edge().malformedHeads() - malformedHeads).isEqualTo(codecError ? 1 : 0);
    assertThat(env.edge().malformedBodies() - malformedBodies).isEqualTo(error.equals("MALFORMED_BODY") ? 1 : 0);
  }

  @Test
  void jsonWithParametersIsAccepted() {
    for (String type : List.of("application/json; charset=utf-8", "Application/JSON;foo=bar")) {
      RawHttp.Reply reply = RawHttp.exchange(port, post("/order", type, ORDER));
      assertThat(reply.status()).as(type + ": " + reply.text()).isEqualTo(202);
      accepted++;
    }
    // non-ASCII text that is valid UTF-8 is stored as sent
    String customer = "Zoë 🛒";
    RawHttp.Reply reply = RawHttp.exchange(port, post("/order", "application/json",
        utf8("{\"productId\":\"p1\",\"quantity\":1,\"customerId\":\"" + customer + "\"}")));
    assertThat(reply.status()).as(reply.text()).isEqualTo(202);
    accepted++;
  }

  @Test
  void restockPastTheIntegerLimitIsRefusedNamingIt() {
    String[] admin = {ADMIN};
    RawHttp.Reply over = RawHttp.exchange(port, post("/admin/products/big/restock", "application/json",
        "{\"quantity\":1001}", admin));

    assertThat(over.status()).as(over.text()).isEqualTo(400);
    assertThat(over.json().getString("error")).isEqualTo("STOCK_LIMIT");
    assertThat(over.json().getString("message")).contains("2147483647");
    assertThat(over.json().getLong("limit")).isEqualTo(2147483647L);
    assertThat(over.header("Retry-After")).isNull();
    assertThat(env.dbStock("big")).isEqualTo(Integer.MAX_VALUE - 1_000);
    assertThat(env.ledger("big", "available")).isEqualTo(Integer.MAX_VALUE - 1_000);

    // the limit itself can be reached
    RawHttp.Reply upToIt = RawHttp.exchange(port, post("/admin/products/big/restock", "application/json",
        "{\"quantity\":1000}", admin));
    assertThat(upToIt.status()).as(upToIt.text()).isEqualTo(200);
    assertThat(upToIt.json().getLong("stock")).isEqualTo(2147483647L);
    assertThat(env.ledger("big", "available")).isEqualTo(2147483647L);
  }

  @Test
  void headIsAnsweredLikeGetWithoutABody() {
    try (RawHttp http = new RawHttp(port)) {
      for (String path : List.of("/health", "/products", "/products/p1", "/health/live")) {
        RawHttp.Reply head = http.send("HEAD " + path + " HTTP/1.1\r\nHost: bolt\r\n\r\n").readHead();
        assertThat(head.status()).as("HEAD " + path).isEqualTo(200);
        assertThat(head.header("Content-Type")).isEqualTo("application/json");
      }
      // had any HEAD answer carried a body, this answer would not parse
      RawHttp.Reply get = http.send(get("/health/live")).read();
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.json().getString("status")).isEqualTo("UP");
    }
  }

  @Test
  void clientsClosingMidBodyAreCountedAndLogNothing() throws Exception {
    long before = env.edge().clientDisconnects();
    int clients = 50;
    for (int i = 0; i < clients; i++) {
      try (RawHttp http = new RawHttp(port)) {
        // the 100 Continue proves the server is reading this body when the client goes
        RawHttp.Reply proceed = http.send("POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n"
            + "Expect: 100-continue\r\nContent-Length: 100\r\n\r\n").read();
        assertThat(proceed.status()).isEqualTo(100);
        http.send("{\"productId\":");
        if (i % 2 == 0) {
          http.reset();
        }
      }
    }
    Waits.eventually(Duration.ofSeconds(10), "every disconnect counted",
        () -> env.edge().clientDisconnects() - before == clients);
    assertThat(RawHttp.exchange(port, get("/health/live")).status()).isEqualTo(200);
  }

  @Test
  void aBodyThatStallsIsAnswered408AndTheConnectionClosed() {
    long before = env.edge().bodyTimeouts();
    try (RawHttp http = new RawHttp(port)) {
      long sent = System.nanoTime();
      RawHttp.Reply reply = http.send("POST /order HTTP/1.1\r\nHost: bolt\r\nContent-Type: application/json\r\n"
          + "Content-Length: 31\r\n\r\n{\"productId\"").read();

      assertThat(elapsedMs(sent)).isGreaterThanOrEqualTo(BODY_TIMEOUT_MS);
      assertThat(reply.status()).as(reply.text()).isEqualTo(408);
      assertThat(reply.json().getString("error")).isEqualTo("REQUEST_TIMEOUT");
      assertThat(http.closedByServer(CLOSES_WITHIN)).isTrue();
    }
    assertThat(env.edge().bodyTimeouts() - before).isEqualTo(1);
  }

  @Test
  void aHeadTrickledInIsCutOffAtTheHeaderTimeout() {
    long before = env.edge().headerTimeouts();
    long opened = System.nanoTime(); // before the server can have accepted the connection
    try (RawHttp http = new RawHttp(port)) {
      byte[] head = get("/products").getBytes(StandardCharsets.ISO_8859_1);
      int sent = 0;
      while (sent < head.length - 2 && !http.closedByServer(Duration.ofMillis(100))) {
        http.send(new byte[] {head[sent++]});
      }
      assertThat(sent).as("bytes sent before the close").isLessThan(head.length - 2);
      assertThat(elapsedMs(opened)).isBetween(HEADER_TIMEOUT_MS, HEADER_TIMEOUT_MS + 1_500);
    }
    assertThat(env.edge().headerTimeouts() - before).isEqualTo(1);
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAtTheIdleTimeout() {
    long before = env.edge().idleTimeouts();
    try (RawHttp http = new RawHttp(port)) {
      long sent = System.nanoTime(); // the server's idle clock starts later, when it has answered
      assertThat(http.send(get("/health/live")).read().status()).isEqualTo(200);

      assertThat(http.closedByServer(Duration.ofMillis(IDLE_TIMEOUT_MS + 2_000))).isTrue();
      assertThat(elapsedMs(sent)).isGreaterThanOrEqualTo(IDLE_TIMEOUT_MS);
    }
    assertThat(env.edge().idleTimeouts() - before).isEqualTo(1);
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
