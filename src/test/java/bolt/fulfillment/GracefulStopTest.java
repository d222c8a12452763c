package bolt.fulfillment;

import bolt.stock.Keys;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * design.md failure model, "SIGTERM under load", in one JVM: Bolt is undeployed while buyers keep
 * ordering. Workers finish and acknowledge the batch in hand, so no processing list is left behind;
 * every accepted order is either written or still queued, and a restarted Bolt writes the rest.
 */
@Timeout(300)
class GracefulStopTest {

  @Test
  void stoppingUnderLoadLosesNothingAndARestartDrainsTheRest() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx)) {
      Map<String, Integer> initialStock = new LinkedHashMap<>();
      for (int i = 0; i < 10; i++) {
        initialStock.put("g" + i, 5_000);
        env.createProduct("g" + i, 5_000);
      }
      Map<String, String> settings = Map.of("BOLT_FULFILLMENT_INSTANCES", "4");
      var config = env.start(settings);
      OrderLoad load = OrderLoad.start(vertx, config.httpPort(), List.copyOf(initialStock.keySet()), 32,
          Long.MAX_VALUE);
      try {
        Waits.eventually(Duration.ofSeconds(60), "orders flowing and being written",
            () -> load.acceptedCount() >= 500 && writtenOrders(env).size() > 0);
        env.stopBolt();
      } finally {
        load.stop();
        load.awaitDone(Duration.ofSeconds(60));
      }
      assertThat(load.serverErrors()).as("5xx answers: %s", load.unexpectedAnswers()).isZero();
      assertThat(load.unexpected()).as("answers other than 202 or 400 INSUFFICIENT_STOCK").isZero();

      // the batches in hand were written and acknowledged, and the workers left the heartbeat set
      assertThat(Invariants.processingLists(env)).as("jobs left in processing lists").isEmpty();
      for (Keys shard : env.shards().all()) {
        assertThat(env.redis(Command.ZRANGE, shard.workers(), 0, -1).size()).as("workers still registered: %s",
            env.redis(Command.ZRANGE, shard.workers(), 0, -1, "WITHSCORES")).isZero();
      }

      Set<String> writtenOrQueued = new HashSet<>(writtenOrders(env));
      writtenOrQueued.addAll(Invariants.queuedOrderIds(env));
      Set<String> lost = new HashSet<>(load.accepted());
      lost.removeAll(writtenOrQueued);
      assertThat(lost).as("accepted orders neither written nor queued").isEmpty();

      env.start(settings);
      Invariants.awaitDrained(env, initialStock.keySet(), Duration.ofSeconds(120));
      Invariants.assertConsistent(env, initialStock, load.accepted(), load.unansweredCustomers());
    } finally {
      vertx.close();
    }
  }

  private static List<String> writtenOrders(TestEnv env) {
    return env.sql("SELECT id::text AS id FROM orders").stream().map(row -> row.getString("id")).toList();
  }
}
