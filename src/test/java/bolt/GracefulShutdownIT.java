package bolt;

import bolt.support.BoltProcess;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to a Bolt running both roles while buyers keep ordering (design.md failure model: stop
 * taking work, finish and acknowledge the batch in hand, exit 0). Nothing accepted may be lost: what
 * the stopped process did not write waits in Redis for the next worker.
 */
class GracefulShutdownIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STOP = Duration.ofSeconds(30);
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final Duration LOAD_STOP = Duration.ofSeconds(60);
  private static final Map<String, Integer> INITIAL = Map.of("grace-a", 10_000, "grace-b", 10_000, "grace-c", 10_000);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;

  @BeforeAll
  static void createEnvironment() {
    vertx = world.vertx();
    env = world.env();
    INITIAL.forEach(env::createProduct);
  }

  @Test
  void sigtermUnderLoadExitsZeroAndLosesNoAcceptedOrder() {
    Set<String> accepted;
    try (BoltProcess bolt = BoltProcess.startReady("graceful-both",
        BoltProcess.environment(env, Map.of("BOLT_BATCH_SIZE", "16")), START)) {
      OrderLoad load = OrderLoad.start(vertx, bolt.httpPort(), List.copyOf(INITIAL.keySet()), 16, 20_000,
          Duration.ofMillis(20));
      try {
        bolt.awaitUntil(START, "orders accepted and written under load",
            () -> load.acceptedCount() >= 500 && ordersWritten().size() >= 200);
        bolt.sigterm();
        assertThat(bolt.waitFor(STOP)).as("exit code after SIGTERM\n%s", bolt.tail(20)).isZero();
        assertThat(bolt.logContains("Shutting down")).as("shutdown logged\n%s", bolt.tail(20)).isTrue();
        assertThat(bolt.logContains("Stopped")).as("stop logged\n%s", bolt.tail(20)).isTrue();
      } finally {
        // answers after the SIGTERM are refused connections: they count as not accepted
        load.stopAndAwait(LOAD_STOP);
      }
      accepted = load.accepted();
      System.out.println("GracefulShutdownIT: answers " + load.statuses() + ", " + ordersWritten().size()
          + " written and " + env.queueLength() + " queued at exit");
      // a stopping server refuses connections; it does not answer 503 for want of its own clients
      assertThat(load.statuses().keySet()).as("answers").isSubsetOf(202, OrderLoad.NO_ANSWER);
    }

    Set<String> writtenOrQueued = new HashSet<>(ordersWritten());
    writtenOrQueued.addAll(Invariants.queuedOrderIds(env));
    assertThat(accepted.stream().filter(id -> !writtenOrQueued.contains(id)).limit(10).toList())
        .as("accepted orders neither written nor queued after the stop (first 10)").isEmpty();
    // the batch in hand was finished and acknowledged, not left for a reaper
    assertThat(Invariants.processingLists(env)).as("processing lists after a clean stop").isEmpty();

    try (BoltProcess worker = BoltProcess.startReady("graceful-next-worker",
        BoltProcess.environment(env, Map.of("BOLT_ROLES", "fulfillment")), START)) {
      Invariants.awaitDrained(env, INITIAL.keySet(), DRAIN);
      Invariants.assertConsistent(env, INITIAL, accepted);
      // the server stopped taking requests before closing its clients, so no reservation went unanswered
      assertThat(ordersWritten()).as("orders in the DB vs orders answered 202").isEqualTo(accepted);
      assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE status <> 'CONFIRMED'").get(0).getLong("n"))
          .as("orders rejected although Redis had reserved their units").isZero();
    }
  }

  private static Set<String> ordersWritten() {
    Set<String> ids = new HashSet<>();
    for (Row row : env.sql("SELECT id::text AS id FROM orders")) {
      ids.add(row.getString("id"));
    }
    return ids;
  }
}
