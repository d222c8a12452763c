package bolt.fulfillment;

import bolt.support.LogCapture;
import bolt.support.OrderLoad;
import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend outage under load is reported, not flooded: a line when a backend goes away and one when
 * it is back, no stack trace for a failure that is only an outage, and workers resume writing within
 * about a second of PostgreSQL or Redis coming back.
 */
@Timeout(180)
class OutageLogTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void outagesOfRedisAndPostgresLogAFewLinesWithoutStackTracesAndTheDrainResumesPromptly() {
    TestEnv env = world.env();
    env.createProduct("p", 1_000_000);
    URI redisUri = URI.create(TestEnv.REDIS_URL);
    PgConnectOptions pg = PgConnectOptions.fromUri(env.pgUrl());
    try (TcpProxy redis = new TcpProxy(world.vertx(), redisUri.getHost(), redisUri.getPort() == -1 ? 6379 : redisUri.getPort());
         TcpProxy postgres = new TcpProxy(world.vertx(), pg.getHost(), pg.getPort());
         LogCapture log = LogCapture.attach()) {
      int port = env.start(Map.of(
          "BOLT_REDIS_URL", "redis://127.0.0.1:" + redis.port(),
          "BOLT_PG_URL", "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:" + postgres.port()
              + "/" + pg.getDatabase(),
          "BOLT_REDIS_TIMEOUT_MS", "500")).httpPort();
      OrderLoad load = OrderLoad.start(world.vertx(), port, List.of("p"), 8, Long.MAX_VALUE, Duration.ofMillis(5));
      Waits.eventually(Duration.ofSeconds(30), "orders written", () -> written(env) > 100);
      int before = log.atLeast(Level.WARN).size();

      outage(env, redis);
      long redisResumeMs = resumeMs(env, redis);
      outage(env, postgres);
      long postgresResumeMs = resumeMs(env, postgres);
      load.stopAndAwait(Duration.ofSeconds(30));
      // a backend counts as back after a quarter second without a failure: wait for both lines to be written
      Waits.eventually(Duration.ofSeconds(10), "both backends reported back", () -> List.of("redis", "postgres")
          .stream().allMatch(backend -> !log.matching(Level.WARN, backend + " is answering again").isEmpty()));

      // netty's own warnings come from the test's TCP proxies too (a connection accepted while one closes)
      List<ILoggingEvent> lines = log.atLeast(Level.WARN).subList(before, log.atLeast(Level.WARN).size()).stream()
          .filter(event -> event.getLoggerName().startsWith("bolt.") || event.getLoggerName().startsWith("io.vertx."))
          .toList();
      System.out.printf("outages: %d WARN+ lines, drain resumed %d ms after Redis, %d ms after PostgreSQL%s%n",
          lines.size(), redisResumeMs, postgresResumeMs, LogCapture.describe(lines));
      List<ILoggingEvent> traces = lines.stream().filter(event -> event.getThrowableProxy() != null).toList();
      assertThat(traces).as("stack traces" + LogCapture.describe(traces)).isEmpty();
      for (String backend : List.of("redis", "postgres")) {
        assertThat(lines).filteredOn(event -> event.getFormattedMessage().startsWith(backend + " is not answering"))
            .as(backend + " gone").hasSize(1);
        assertThat(lines).filteredOn(event -> event.getFormattedMessage().startsWith(backend + " is answering again"))
            .as(backend + " back").hasSize(1);
      }
      // beyond those four, at most the reapers' lines: a 2 s outage outlasts the tests' heartbeat TTL
      assertThat(lines).as("WARN+ lines for two outages" + LogCapture.describe(lines)).hasSizeLessThanOrEqualTo(6);
      assertThat(redisResumeMs).as("ms from Redis back to the next order written").isLessThan(1_500);
      assertThat(postgresResumeMs).as("ms from PostgreSQL back to the next order written").isLessThan(1_500);
    }
  }

  /** Two seconds with the backend's connections refused and reset, orders still coming. */
  private static void outage(TestEnv env, TcpProxy backend) {
    backend.down();
    Waits.pause(2_000);
    backend.forward();
  }

  private static long resumeMs(TestEnv env, TcpProxy backend) {
    long back = System.nanoTime();
    long writtenWhenBack = written(env);
    Waits.eventually(Duration.ofSeconds(30), "orders written again", () -> written(env) > writtenWhenBack);
    return (System.nanoTime() - back) / 1_000_000;
  }

  private static long written(TestEnv env) {
    return env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n");
  }
}
