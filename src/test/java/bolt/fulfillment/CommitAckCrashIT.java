package bolt.fulfillment;

import bolt.support.BoltProcess;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The narrowest crash window of the protocol: a worker process dies after its DB transaction
 * committed and before its Redis ack. The orders are then written, but Redis still counts them in
 * flight and the jobs sit in the dead worker's processing list. The next worker must redeliver them
 * without writing them again or taking their stock twice (design.md I2, I3): a new worker after the
 * reaper has handed the list on, or the same worker restarted under its old id, at once.
 */
class CommitAckCrashIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final int ORDERS = 20;
  private static final Map<String, Integer> INITIAL = Map.of("ack-a", 200, "ack-b", 100);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private static Vertx vertx;
  private static TestEnv env;

  @BeforeEach
  void createEnvironment() {
    vertx = world.vertx();
    env = world.env();
    INITIAL.forEach(env::createProduct);
  }

  @Test
  void ordersCommittedButNotAcknowledgedAreSettledOnceByTheNextWorker() {
    try (BoltProcess api = BoltProcess.startReady("commit-ack-api",
        BoltProcess.environment(env, Map.of("BOLT_ROLES", "http")), START)) {
      Set<String> accepted = crashBetweenCommitAndAck(api);

      try (BoltProcess worker = BoltProcess.startReady("commit-ack-worker", BoltProcess.environment(env, Map.of(
          "BOLT_ROLES", "fulfillment", "BOLT_WORKER_ID", "recovery")), START)) {
        assertSettledOnce(accepted, DRAIN);
        // reaped at once, and forgotten once its list has stayed empty for 3 heartbeat TTLs
        Waits.eventually(Duration.ofSeconds(30), "the dead worker forgotten",
            () -> env.redis(Command.ZSCORE, env.keys().workers(), "faulty-1") == null);
      }
    }
  }

  @Test
  void aWorkerRestartedUnderItsOldIdFinishesItsOwnBatchFirst() {
    try (BoltProcess api = BoltProcess.startReady("restart-api",
        BoltProcess.environment(env, Map.of("BOLT_ROLES", "http")), START)) {
      Set<String> accepted = crashBetweenCommitAndAck(api);

      // the same worker id, and a heartbeat TTL far beyond the deadline: no reaper can hand the
      // list on in time, so a drain proves the restarted worker took up its own processing list
      try (BoltProcess restarted = BoltProcess.startReady("restart-worker", BoltProcess.environment(env, Map.of(
          "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1", "BOLT_WORKER_ID", "faulty",
          "BOLT_HEARTBEAT_TTL_MS", "600000")), START)) {
        assertSettledOnce(accepted, Duration.ofSeconds(60));
      }
    }
  }

  /** Queues the orders, then runs a worker whose first batch takes them all and halts between commit and ack. */
  private static Set<String> crashBetweenCommitAndAck(BoltProcess api) {
    Set<String> accepted = placeOrders(api);
    assertThat(env.queueLength()).as("jobs queued while no worker runs").isEqualTo(ORDERS);
    try (BoltProcess faulty = BoltProcess.start("commit-ack-faulty-worker", BoltProcess.environment(env, Map.of(
        "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1", "BOLT_WORKER_ID", "faulty",
        "BOLT_FAULT_HALT_AFTER_COMMIT", "true")))) {
      assertThat(faulty.waitFor(START)).as("exit code of the halted worker\n%s", faulty.tail(20)).isEqualTo(137);
      assertThat(faulty.logContains("Fault injection: halting between commit and ack")).isTrue();
    }
    assertCrashWindow(accepted);
    return accepted;
  }

  private static void assertSettledOnce(Set<String> accepted, Duration deadline) {
    Invariants.awaitDrained(env, INITIAL.keySet(), deadline);
    Invariants.assertConsistent(env, INITIAL, accepted);
    assertThat(env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n")).isEqualTo(ORDERS);
    assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE status = 'CONFIRMED'").get(0).getLong("n"))
        .as("orders confirmed (stock was plenty)").isEqualTo(ORDERS);
  }

  private static Set<String> placeOrders(BoltProcess api) {
    OrderLoad load = OrderLoad.start(vertx, api.httpPort(), List.copyOf(INITIAL.keySet()), 2, ORDERS);
    Waits.eventually(Duration.ofSeconds(60), "orders placed", load::finished);
    assertThat(load.statuses()).as("answers").isEqualTo(Map.of(202, ORDERS));
    return load.accepted();
  }

  /** Written in the DB, yet still held by the dead worker and counted in flight in Redis. */
  private static void assertCrashWindow(Set<String> accepted) {
    Map<String, Long> written = new HashMap<>();
    for (Row row : env.sql("SELECT id::text AS id, product_id, quantity FROM orders")) {
      assertThat(accepted).contains(row.getString("id"));
      written.merge(row.getString("product_id"), (long) row.getInteger("quantity"), Long::sum);
    }
    assertThat(written.values().stream().mapToLong(Long::longValue).sum()).as("units written").isPositive();
    assertThat(env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n"))
        .as("orders committed before the halt").isEqualTo(ORDERS);
    assertThat(Invariants.processingLists(env)).as("the halted worker's processing list")
        .isEqualTo(Map.of(env.keys().processing("faulty-1"), (long) ORDERS));
    assertThat(Invariants.queuedOrderIds(env)).isEqualTo(accepted);
    INITIAL.forEach((id, initial) -> {
      long units = written.getOrDefault(id, 0L);
      assertThat(env.dbStock(id)).as("DB stock of %s after the commit", id).isEqualTo(initial - units);
      assertThat(env.ledger(id, "inflight")).as("inflight of %s, never acknowledged", id).isEqualTo(units);
    });
  }
}
