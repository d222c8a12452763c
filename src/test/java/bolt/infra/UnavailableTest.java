package bolt.infra;

import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only a backend that cannot be reached, loses the connection or does not answer in time is
 * "unavailable" (503 for clients); a backend that answered with an error about the request (a
 * PostgreSQL data error, a Redis error reply) is passed through as it is. Real backends throughout.
 */
class UnavailableTest {

  private static final long TIMEOUT_MS = 1_000;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;

  @BeforeAll
  static void start() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct("p1", 5);
  }

  @Test
  void postgresDataErrorsPassThroughWithTheirSqlState() {
    assertPassesThrough(env.pool().query("SELECT 2147483647::integer + 1").execute(), "22003");
    assertPassesThrough(env.pool().query("SELECT 'abc'::integer").execute(), "22P02");
    assertPassesThrough(env.pool().query("UPDATE products SET stock = -1 WHERE id = 'p1'").execute(), "23514");
    assertPassesThrough(env.pool().query("SELECT * FROM no_such_table").execute(), "42P01");
  }

  @Test
  void unreachableOrSlowPostgresIsUnavailable() {
    PgConnectOptions options = PgConnectOptions.fromUri(env.pgUrl());
    Pool closedPort = PgBuilder.pool().connectingTo(new PgConnectOptions(options).setPort(TestEnv.freePort()))
        .using(vertx).build();
    Pool wrongPassword = PgBuilder.pool().connectingTo(new PgConnectOptions(options).setPassword("not-the-password"))
        .using(vertx).build();
    try {
      assertUnavailable(closedPort.query("SELECT 1").execute(), "postgres");
      assertUnavailable(wrongPassword.query("SELECT 1").execute(), "postgres");
      assertUnavailable(env.pool().query("SELECT pg_sleep(5)").execute(), "postgres");
    } finally {
      closedPort.close();
      wrongPassword.close();
    }
  }

  @Test
  void redisErrorRepliesPassThroughButAnUnreachableRedisIsUnavailable() {
    env.redis(Command.SET, env.keys("text").product("text"), "not a hash");
    Future<?> wrongType = env.redis().send(Request.cmd(Command.HGET).arg(env.keys("text").product("text")).arg("available"));
    Throwable failure = failureOf(Unavailable.guard("redis", TIMEOUT_MS, wrongType));
    assertThat(failure).isNotInstanceOf(Unavailable.class);
    assertThat(failure.getMessage()).startsWith("WRONGTYPE");

    Redis closedPort = Redis.createClient(vertx, "redis://127.0.0.1:" + TestEnv.freePort());
    try {
      assertUnavailable(closedPort.send(Request.cmd(Command.PING)), "redis");
    } finally {
      closedPort.close();
    }
  }

  /** A worker's take is a pipeline; its connection dropping fails every command of it ("ERR [i] CONNECTION_CLOSED"). */
  @Test
  void aPipelineWhoseConnectionDropsIsUnavailable() {
    URI redisUri = URI.create(TestEnv.REDIS_URL);
    try (TcpProxy proxy = new TcpProxy(vertx, redisUri.getHost(), redisUri.getPort() == -1 ? 6379 : redisUri.getPort())) {
      Redis client = Redis.createClient(vertx, "redis://127.0.0.1:" + proxy.port());
      try {
        RedisConnection connection = Waits.await(client.connect());
        Future<?> pipeline = connection.batch(List.of(Request.cmd(Command.PING),
            Request.cmd(Command.BLPOP).arg(env.keys().queue() + ":empty").arg(5)));
        Waits.eventually(Duration.ofSeconds(5), "the PING answered and the BLPOP waiting",
            () -> env.redis(Command.CLIENT, "LIST", "TYPE", "normal").toString().contains("cmd=blpop"));
        proxy.down();
        assertUnavailable(pipeline, "redis");
      } finally {
        client.close();
      }
    }
  }

  private static void assertPassesThrough(Future<?> call, String sqlState) {
    Throwable failure = failureOf(Unavailable.guard("postgres", TIMEOUT_MS, call));
    assertThat(failure).isInstanceOf(PgException.class);
    assertThat(((PgException) failure).getSqlState()).isEqualTo(sqlState);
  }

  private static void assertUnavailable(Future<?> call, String backend) {
    long started = System.nanoTime();
    Throwable failure = failureOf(Unavailable.guard(backend, TIMEOUT_MS, call));
    assertThat(failure).isInstanceOf(Unavailable.class);
    assertThat(((Unavailable) failure).backend()).isEqualTo(backend);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(TIMEOUT_MS + 2_000);
  }

  private static Throwable failureOf(Future<?> future) {
    AsyncResult<?> result = Waits.await(future.transform(done -> Future.succeededFuture(done)));
    assertThat(result.failed()).as("the call failed").isTrue();
    return result.cause();
  }
}
