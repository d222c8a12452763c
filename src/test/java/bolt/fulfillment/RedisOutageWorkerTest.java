package bolt.fulfillment;

import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * design.md failure model, Redis unreachable, seen from the workers: they lose Redis (through a proxy
 * the test owns; the shared server is never touched) while orders keep arriving through an API
 * process that still reaches it, back off, reconnect by themselves (the blocking BLMOVE connection
 * too) and drain everything exactly once.
 */
@Timeout(180)
class RedisOutageWorkerTest {

  private static final URI REDIS = URI.create(TestEnv.REDIS_URL);
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void workersCutOffFromRedisResumeByThemselves() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx);
         TcpProxy proxy = new TcpProxy(vertx, REDIS.getHost(), REDIS.getPort() == -1 ? 6379 : REDIS.getPort())) {
      env.createProduct("p", 1000);
      var api = env.start(Map.of("BOLT_ROLES", "http"));
      env.start(Map.of("BOLT_ROLES", "fulfillment", "BOLT_WORKER_ID", "cut-off",
          "BOLT_REDIS_URL", "redis://127.0.0.1:" + proxy.port(), "BOLT_REDIS_TIMEOUT_MS", "500"));
      Set<String> accepted = new HashSet<>();
      try (Http http = new Http(vertx, api.httpPort())) {
        place(http, 20, accepted);
        Invariants.awaitDrained(env, List.of("p"), DEADLINE);

        proxy.down();
        place(http, 30, accepted);
        // the workers' heartbeats stop landing: proof that they really lost Redis for a while
        Waits.eventually(DEADLINE, "worker heartbeats older than 1.5 s", () -> heartbeatAgeMs(env) > 1_500);
        assertThat(env.queueLength()).as("orders waiting while the workers are cut off").isEqualTo(30);

        proxy.forward();
        Invariants.awaitDrained(env, List.of("p"), DEADLINE);
      }
      Invariants.assertConsistent(env, Map.of("p", 1000), accepted);
    } finally {
      Waits.await(vertx.close());
    }
  }

  private static void place(Http http, int orders, Set<String> accepted) {
    for (int i = 0; i < orders; i++) {
      var reply = http.post("/order", new JsonObject().put("productId", "p").put("quantity", 1));
      assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(202);
      accepted.add(reply.bodyAsJsonObject().getString("orderId"));
    }
  }

  /** Age of the freshest worker heartbeat, on the Redis clock. */
  private static long heartbeatAgeMs(TestEnv env) {
    long newest = 0;
    for (Response worker : env.redis(Command.ZRANGE, env.keys().workers(), 0, -1)) {
      newest = Math.max(newest, env.redis(Command.ZSCORE, env.keys().workers(), worker.toString()).toLong());
    }
    Response time = env.redis(Command.TIME);
    return time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000 - newest;
  }
}
