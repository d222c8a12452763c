package bolt.http;

import bolt.infra.Unavailable;
import bolt.metrics.BoltMetrics;
import bolt.support.Http;
import bolt.support.LogCapture;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What reaches the failure handler that no route turned into an ApiError: a bug is a 500 whose
 * errorId is in the body and in exactly one ERROR line (no stack trace); a PostgreSQL data error is
 * a 4xx where the request's values caused it and a 500 otherwise, never a 503. The failures are real:
 * thrown by code, or returned by PostgreSQL.
 */
class FailureHandlerTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static HttpServer server;
  private static Http http;
  private static LogCapture log;

  @BeforeAll
  static void start() {
    Vertx vertx = world.vertx();
    env = world.env();
    env.createProduct("p1", 5);
    Router router = Router.router(vertx);
    router.get("/bug").handler(ctx -> {
      throw new IllegalStateException("a bug");
    });
    router.get("/division").handler(ctx -> guarded("SELECT 1 / 0").onFailure(ctx::fail));
    router.get("/input-out-of-range").handler(ctx -> guarded("SELECT 2147483647::integer + 1")
        .onFailure(failure -> ctx.fail(DataErrors.fromInput(failure))));
    router.get("/input-check").handler(ctx -> guarded("UPDATE products SET stock = -1 WHERE id = 'p1'")
        .onFailure(failure -> ctx.fail(DataErrors.fromInput(failure))));
    router.route().failureHandler(new FailureHandler(new EdgeCounters(), BoltMetrics.off()));
    server = Waits.await(vertx.createHttpServer().requestHandler(router).listen(0));
    http = new Http(vertx, server.actualPort());
    log = LogCapture.attach();
  }

  private static io.vertx.core.Future<?> guarded(String sql) {
    return Unavailable.guard("postgres", 2_000, env.pool().query(sql).execute());
  }

  @AfterAll
  static void stop() {
    log.close();
    http.close();
    Waits.await(server.close());
  }

  @BeforeEach
  void clearLog() {
    log.clear();
  }

  @Test
  void aBugIsA500WithAnErrorIdThatIsInOneLogLine() {
    assertInternalError(http.get("/bug"), "IllegalStateException");
  }

  @Test
  void aDataErrorNotCausedByTheRequestIsA500NotA503() {
    assertInternalError(http.get("/division"), "22012");
  }

  @Test
  void aDataErrorCausedByTheRequestsValuesIsA4xx() {
    var outOfRange = http.get("/input-out-of-range");
    assertThat(outOfRange.statusCode()).as(outOfRange.bodyAsString()).isEqualTo(400);
    assertThat(outOfRange.bodyAsJsonObject().getString("error")).isEqualTo("INVALID_VALUE");

    var check = http.get("/input-check");
    assertThat(check.statusCode()).as(check.bodyAsString()).isEqualTo(409);
    assertThat(check.bodyAsJsonObject().getString("error")).isEqualTo("CONFLICT");
    assertThat(check.getHeader("Retry-After")).isNull();
    assertThat(log.linesFrom(Level.INFO, "bolt")).isEmpty();
  }

  private static void assertInternalError(io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> reply,
                                          String named) {
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(500);
    assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo("INTERNAL");
    String errorId = reply.bodyAsJsonObject().getString("errorId");
    assertThat(errorId).isNotBlank();
    assertThat(reply.bodyAsString()).doesNotContain(named);

    assertThat(log.errorsAndStackTraces()).singleElement().satisfies(line -> {
      assertThat(line).contains(errorId, named);
      assertThat(line).doesNotContain("\n", "+stacktrace");
    });
  }
}
