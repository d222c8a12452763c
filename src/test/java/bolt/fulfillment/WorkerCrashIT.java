package bolt.fulfillment;

import bolt.support.BoltProcess;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker process is killed with SIGKILL again and again while buyers keep ordering through a
 * separate API process. Whatever batch each kill interrupts, the reaper hands it to the next worker,
 * and in the end every accepted order is written exactly once and no unit is sold twice
 * (design.md I1-I4, failure model: worker process killed mid-batch).
 */
class WorkerCrashIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final Duration LOAD_STOP = Duration.ofSeconds(60);
  private static final int MIN_KILLS = 5;
  /** Kills go on past the minimum until one of them has caught a batch in hand, up to this many. */
  private static final int MAX_KILLS = 15;
  /** One product sells out, so refusals at intake happen alongside the crashes. */
  private static final Map<String, Integer> INITIAL =
      Map.of("crash-a", 10_000, "crash-b", 10_000, "crash-c", 10_000, "crash-d", 10_000, "crash-e", 300);

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
  void killedWorkersLoseNoOrderAndSellNoUnitTwice() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    try (BoltProcess api = BoltProcess.startReady("worker-crash-api",
        BoltProcess.environment(env, Map.of("BOLT_ROLES", "http")), START)) {
      // a steady flow (a few hundred orders/s) that keeps batches in flight without starving the machine
      OrderLoad load = OrderLoad.start(vertx, api.httpPort(), List.copyOf(INITIAL.keySet()), 16, 20_000,
          Duration.ofMillis(20));
      int kills = 0;
      int killsInMidBatch = 0;
      long jobsHeldAtKills = 0;
      BoltProcess worker = null;
      try {
        while (kills < MIN_KILLS || (killsInMidBatch == 0 && kills < MAX_KILLS)) {
          String workerId = "gen" + kills;
          long writtenBefore = ordersWritten();
          worker = startWorker(workerId);
          BoltProcess current = worker;
          current.awaitUntil(START, "the new worker writes orders", () -> ordersWritten() > writtenBefore);
          // the random moment of the next kill; not a wait for a condition
          Waits.pause(300 + random.nextInt(1_200));
          current.kill9();
          assertThat(current.waitFor(Duration.ofSeconds(30))).as("exit code after SIGKILL").isEqualTo(137);
          kills++;
          long held = heldJobs(workerId);
          jobsHeldAtKills += held;
          if (held > 0) {
            killsInMidBatch++;
          }
          current.close();
        }
        worker = startWorker("gen" + kills);
        load.stopAndAwait(LOAD_STOP);
        Invariants.awaitDrained(env, INITIAL.keySet(), DRAIN);

        String context = "seed " + seed + ", " + kills + " kills, " + killsInMidBatch + " mid-batch holding "
            + jobsHeldAtKills + " jobs, answers " + load.statuses();
        System.out.println("WorkerCrashIT: " + context + ", " + ordersWritten() + " orders written");
        assertThat(killsInMidBatch).as("kills that caught a batch in hand (%s)", context).isPositive();
        assertThat(load.statuses().keySet()).as("answers (%s)", context).isSubsetOf(202, 400);
        Set<String> accepted = load.accepted();
        assertThat(accepted).as("accepted orders").hasSizeGreaterThan(1_000);
        Invariants.assertConsistent(env, INITIAL, accepted);
        // the API process never died, so every reservation it made was answered: no order without a 202
        assertThat(ordersWritten()).as("orders in the DB (%s)", context).isEqualTo(accepted.size());
        assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE status <> 'CONFIRMED'").get(0).getLong("n"))
            .as("orders rejected although Redis had reserved their units").isZero();
        assertThat(env.dbStock("crash-e")).as("the small product sold out").isLessThan(3);
      } finally {
        load.stopAndAwait(LOAD_STOP);
        if (worker != null) {
          worker.close();
        }
      }
    }
  }

  private static BoltProcess startWorker(String workerId) {
    return BoltProcess.startReady("worker-crash-" + workerId, BoltProcess.environment(env, Map.of(
        "BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "2", "BOLT_BATCH_SIZE", "16",
        "BOLT_WORKER_ID", workerId)), START);
  }

  /** Jobs left in the processing lists of a dead worker process's two instances. */
  private static long heldJobs(String workerId) {
    long held = 0;
    for (int instance = 1; instance <= 2; instance++) {
      String id = workerId + "-" + instance;
      held += env.sum(shard -> shard.processing(id));
    }
    return held;
  }

  private static long ordersWritten() {
    return env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n");
  }
}
