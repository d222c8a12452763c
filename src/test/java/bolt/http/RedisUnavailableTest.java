package bolt.http;

import bolt.config.BoltConfig;
import bolt.support.Http;
import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis down or not answering: intake answers 503 UNAVAILABLE with Retry-After within a bound (never
 * hangs), health says which backend is down, the process stays up and recovers by itself. The shared
 * Redis is never touched: the Bolt under test talks to a closed port or to a proxy the test controls.
 */
class RedisUnavailableTest {

  private static final long TIMEOUT_MS = 500;
  /** redis.timeoutMs plus a generous margin for a busy 2-core machine. */
  private static final long BOUND_MS = 5_000;
  private static final URI REDIS = URI.create(TestEnv.REDIS_URL);
  private static final JsonObject ORDER = new JsonObject().put("productId", "p1").put("quantity", 1);

  // a Vertx per test: a Bolt that never syncs keeps retrying in the background until its Vertx closes
  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;
  private Http http;

  @BeforeEach
  void create() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct("p1", 100);
  }

  @AfterEach
  void close() {
    if (http != null) {
      http.close();
    }
  }

  private BoltConfig startAgainst(int redisPort, boolean waitForSync) {
    Map<String, String> overrides = Map.of("BOLT_ROLES", "http",
        "BOLT_REDIS_URL", "redis://127.0.0.1:" + redisPort,
        "BOLT_REDIS_TIMEOUT_MS", String.valueOf(TIMEOUT_MS));
    BoltConfig config = waitForSync ? env.start(overrides) : env.startWithoutSync(overrides);
    http = new Http(vertx, config.httpPort(), 32);
    return config;
  }

  /**
   * A process that starts while Redis is down cannot finish its start-up sync: every request but the
   * health checks answers 503 STARTING at once (never a 500, never a product "not found" from an
   * empty Redis), and it serves as soon as Redis is there.
   */
  @Test
  void startingWithRedisDownAnswers503StartingFastAndServesOnceRedisIsUp() {
    try (TcpProxy proxy = new TcpProxy(vertx, REDIS.getHost(), redisPort())) {
      proxy.down();
      startAgainst(proxy.port(), false);

      assertStartingWithinBound();
      var health = http.get("/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.getHeader("Retry-After")).isNotBlank();
      assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
      assertThat(health.bodyAsJsonObject().getString("redis")).isEqualTo("DOWN");
      assertThat(health.bodyAsJsonObject().getString("postgres")).isEqualTo("UP");
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
      for (String path : List.of("/products", "/products/p1", "/order/" + java.util.UUID.randomUUID())) {
        assertStarting(http.get(path));
      }
      assertStarting(http.post("/admin/products", new JsonObject().put("id", "early").put("name", "early")
          .put("stock", 5), Http.bearer(TestEnv.ADMIN_TOKEN)));

      proxy.forward();
      Waits.eventually(Duration.ofSeconds(30), "the start-up sync done", () -> http.get("/health").statusCode() == 200);
      assertThat(place().statusCode()).isEqualTo(202);
      assertThat(env.sql("SELECT id FROM products WHERE id = 'early'")).as("nothing was half done").isEmpty();
    }
  }

  @Test
  void closedRedisPortAfterStartAnswers503FastAndTheProcessStaysUp() {
    try (TcpProxy proxy = new TcpProxy(vertx, REDIS.getHost(), redisPort())) {
      startAgainst(proxy.port(), true);
      proxy.down();

      assertUnavailableWithinBound();
      assertConcurrentRequestsAllAnswer503WithinBound(20);

      var health = http.get("/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
      assertThat(health.bodyAsJsonObject().getString("redis")).isEqualTo("DOWN");
      assertThat(health.bodyAsJsonObject().getString("postgres")).isEqualTo("UP");
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);

      // the reads that need Redis say so too, rather than failing with a 500
      assertUnavailable(http.get("/products"));
      assertUnavailable(http.get("/products/p1"));
      assertUnavailable(http.get("/order/" + java.util.UUID.randomUUID()));

      // still serving after the burst
      assertUnavailableWithinBound();
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void redisThatAcceptsButNeverAnswersGives503WithinTheTimeout() {
    try (TcpProxy proxy = new TcpProxy(vertx, REDIS.getHost(), redisPort())) {
      startAgainst(proxy.port(), true);
      assertThat(place().statusCode()).isEqualTo(202);

      proxy.blackhole();

      assertUnavailableWithinBound();
      assertConcurrentRequestsAllAnswer503WithinBound(20);
      long started = System.nanoTime();
      var health = http.get("/health");
      assertThat(elapsedMs(started)).isLessThan(BOUND_MS);
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.bodyAsJsonObject().getString("redis")).isEqualTo("DOWN");
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void recoversByItselfWhenRedisComesBack() {
    try (TcpProxy proxy = new TcpProxy(vertx, REDIS.getHost(), redisPort())) {
      startAgainst(proxy.port(), true);
      assertThat(place().statusCode()).isEqualTo(202);

      proxy.down();
      assertUnavailableWithinBound();
      assertThat(http.get("/health").statusCode()).isEqualTo(503);

      proxy.forward();
      Waits.eventually(Duration.ofSeconds(30), "an order is accepted again", () -> place().statusCode() == 202);
      assertThat(http.get("/health").statusCode()).isEqualTo(200);

      // nothing was reserved by the refused requests: one unit before the outage, one after
      assertThat(env.ledger("p1", "available")).isEqualTo(98);
      assertThat(env.ledger("p1", "inflight")).isEqualTo(2);
      assertThat(env.queueLength()).isEqualTo(2);
    }
  }

  @Test
  void restockDuringAnOutageIsCommittedOnceAndReachesRedisWhenItIsBack() {
    env.createProduct("p2", 10);
    try (TcpProxy proxy = new TcpProxy(vertx, REDIS.getHost(), redisPort())) {
      startAgainst(proxy.port(), true);
      proxy.down();

      var restock = http.post("/admin/products/p2/restock", new JsonObject().put("quantity", 5),
          Http.bearer(TestEnv.ADMIN_TOKEN));

      // the DB committed, so the answer says it happened (a 503 would invite a second restock)
      assertThat(restock.statusCode()).as(restock.bodyAsString()).isEqualTo(200);
      assertThat(restock.bodyAsJsonObject().getLong("stock")).isEqualTo(15);
      assertThat(restock.bodyAsJsonObject().getValue("available")).isNull();
      assertThat(env.dbStock("p2")).isEqualTo(15);
      assertThat(env.ledger("p2", "available")).isEqualTo(10);

      proxy.forward();
      Waits.eventually(Duration.ofSeconds(30), "the periodic sync applies the restock to Redis",
          () -> Long.valueOf(15).equals(env.ledger("p2", "available")));
      assertThat(env.ledger("p2", "inflight")).isZero();
    }
  }

  private HttpResponse<Buffer> place() {
    return http.post("/order", ORDER);
  }

  private void assertUnavailableWithinBound() {
    long started = System.nanoTime();
    var reply = place();
    assertThat(elapsedMs(started)).isLessThan(BOUND_MS);
    assertUnavailable(reply);
  }

  /** All sent at once; each must be answered 503 within the bound of the moment they were all sent. */
  private void assertConcurrentRequestsAllAnswer503WithinBound(int count) {
    long started = System.nanoTime();
    List<Future<Long>> answered = new ArrayList<>();
    List<HttpResponse<Buffer>> replies = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < count; i++) {
      answered.add(http.sendAsync(HttpMethod.POST, "/order", ORDER.toBuffer(), "Content-Type", "application/json")
          .map(reply -> {
            replies.add(reply);
            return elapsedMs(started);
          }));
    }
    try {
      Future.all(answered).await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("requests hung while Redis was unavailable", e);
    }
    answered.forEach(elapsed -> assertThat(elapsed.result()).isLessThan(BOUND_MS));
    assertThat(replies).hasSize(count);
    replies.forEach(RedisUnavailableTest::assertUnavailable);
  }

  private void assertStartingWithinBound() {
    long started = System.nanoTime();
    var reply = place();
    assertThat(elapsedMs(started)).isLessThan(BOUND_MS);
    assertStarting(reply);
  }

  private static void assertStarting(HttpResponse<Buffer> reply) {
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(503);
    assertThat(reply.getHeader("Retry-After")).isNotBlank();
    assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo("STARTING");
  }

  private static void assertUnavailable(HttpResponse<Buffer> reply) {
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(503);
    assertThat(reply.getHeader("Retry-After")).isNotBlank();
    JsonObject body = reply.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo("UNAVAILABLE");
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("backend")).isEqualTo("redis");
  }

  private static long elapsedMs(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  private static int redisPort() {
    int port = REDIS.getPort();
    return port == -1 ? 6379 : port;
  }
}
