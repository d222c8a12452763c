package bolt.fulfillment;

import bolt.support.BoltProcess;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker process frozen (SIGSTOP) inside its batch transaction, holding the product row locks that
 * every other writer needs (docs/design.md: stuck transactions). PostgreSQL ends the frozen
 * transaction within postgres.txTimeoutMs, so the other workers keep writing; when the frozen process
 * wakes it finds its transaction gone and settles nothing twice.
 */
class StuckTransactionIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Map<String, Integer> INITIAL = Map.of("stuck-a", 100_000, "stuck-b", 100_000);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void aWorkerFrozenHoldingRowLocksDoesNotStopTheOthers() {
    TestEnv env = world.env();
    INITIAL.forEach(env::createProduct);
    try (BoltProcess api = BoltProcess.startReady("stuck-api", BoltProcess.environment(env, Map.of("BOLT_ROLES", "http")), START);
         BoltProcess frozen = BoltProcess.startReady("stuck-frozen-worker", BoltProcess.environment(env, Map.of(
             "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1", "BOLT_FAULT_STOP_AFTER_LOCK", "true")),
             START)) {
      OrderLoad load = OrderLoad.start(world.vertx(), api.httpPort(), List.copyOf(INITIAL.keySet()), 8, Long.MAX_VALUE,
          Duration.ofMillis(5));
      frozen.awaitUntil(Duration.ofSeconds(30), "the worker stopped itself holding its locks",
          () -> frozen.logContains("Fault injection: stopping the process") && processState(frozen.pid()) == 'T');
      long writtenWhenFrozen = written(env);

      try (BoltProcess healthy = BoltProcess.startReady("stuck-healthy-worker", BoltProcess.environment(env, Map.of(
          "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "2")), START)) {
        Waits.eventually(Duration.ofSeconds(15), "the other workers writing while one is frozen",
            () -> written(env) >= writtenWhenFrozen + 200);
        assertThat(processState(frozen.pid())).as("still frozen").isEqualTo('T');

        signal("CONT", frozen.pid());
        load.stopAndAwait(Duration.ofSeconds(60));
        Invariants.awaitDrained(env, INITIAL.keySet(), Duration.ofSeconds(120));
        assertThat(frozen.isAlive()).as("the frozen worker survived its lost transaction").isTrue();
        assertThat(load.statuses().keySet()).as("answers").containsOnly(202);
        Invariants.assertConsistent(env, INITIAL, load.accepted());
      }
    }
  }

  private static long written(TestEnv env) {
    return env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n");
  }

  /** The state letter of /proc/PID/stat: 'T' when stopped by a signal. */
  private static char processState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void signal(String name, long pid) {
    try {
      int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start().waitFor();
      assertThat(exit).as("kill -%s %d", name, pid).isZero();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
