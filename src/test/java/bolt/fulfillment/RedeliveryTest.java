package bolt.fulfillment;

import bolt.order.OrderJob;
import bolt.order.Placement;
import bolt.support.Invariants;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I3, exactly-once effect: a job delivered twice changes stock once. Covers the worker that
 * committed but died before its ack, the worker that was only slow and acks after a reaper handed
 * its job to someone else, and two reapers racing for the same dead worker.
 */
@Timeout(180)
class RedeliveryTest {

  private static final String PRODUCT = "p";

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;

  @BeforeEach
  void setUp() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct(PRODUCT, 10);
    // the keys start-up sync would create, by the sync's own script
    Waits.await(env.stockLedger().sync(TestEnv.product(PRODUCT, 10, 0)));
  }

  @Test
  void jobCommittedButNotAckedByADeadWorkerChangesStockOnce() {
    OrderJob job = reserveTwoUnits();
    takenBy("dead-worker");
    BatchResult committed = Waits.await(new OrderWriter(env.pool()).write(List.of(job)));
    assertThat(committed.stockAfter().get(PRODUCT).stock()).isEqualTo(8);
    expireHeartbeat("dead-worker");

    var config = env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "2"));
    Invariants.awaitDrained(env, List.of(PRODUCT), Duration.ofSeconds(60));

    assertThat(env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n")).as("order rows").isEqualTo(1);
    assertThat(env.dbStock(PRODUCT)).as("stock decremented once").isEqualTo(8);
    assertThat(env.ledger(PRODUCT, "available")).isEqualTo(8);
    assertThat(env.ledger(PRODUCT, "dbstock")).isEqualTo(8);
    Waits.eventually(Duration.ofSeconds(30), "the dead worker forgotten once its list is empty",
        () -> env.redis(Command.ZSCORE, env.keys().workers(), "dead-worker") == null);
    Invariants.assertConsistent(env, Map.of(PRODUCT, 10), Set.of(job.orderId().toString()));
    var reply = Waits.await(WebClient.create(vertx).get(config.httpPort(), "127.0.0.1", "/order/" + job.orderId()).send());
    assertThat(reply.bodyAsJsonObject().getString("status")).isEqualTo("CONFIRMED");
  }

  @Test
  void slowWorkerAckingAfterItsJobWasRecoveredSettlesNothingTwice() {
    OrderJob job = reserveTwoUnits();
    String slow = "slow-worker";
    takenBy(slow);
    expireHeartbeat(slow);

    env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "2"));
    Invariants.awaitDrained(env, List.of(PRODUCT), Duration.ofSeconds(60));
    assertThat(env.dbStock(PRODUCT)).isEqualTo(8);
    assertThat(env.ledger(PRODUCT, "available")).isEqualTo(8);

    // the slow worker wakes up: its transaction finds the order already written, then it acks as always
    BatchResult late = Waits.await(new OrderWriter(env.pool()).write(List.of(job)));
    WorkQueue slowQueue = new WorkQueue(env.redis(), env.redis(), env.keys(), registry(env.redis(), slow), 5_000);
    Response acked = Waits.await(slowQueue.ack(late));

    assertThat(acked.get(0).toInteger()).as("jobs the late ack settled").isZero();
    assertThat(env.ledger(PRODUCT, "inflight")).as("inflight, not settled twice").isZero();
    assertThat(env.ledger(PRODUCT, "available")).isEqualTo(8);
    assertThat(env.dbStock(PRODUCT)).isEqualTo(8);
    Invariants.assertConsistent(env, Map.of(PRODUCT, 10), Set.of(job.orderId().toString()));
  }

  /**
   * A worker that was only frozen, and was given up by the reapers, takes a job when it wakes and
   * then dies for good: its take registered it again, so the reapers still find that job.
   */
  @Test
  void aWorkerGivenUpWhileAliveIsSeenAgainByTheReapersOnceItTakesAJob() {
    OrderJob job = reserveTwoUnits();
    String frozen = "frozen-worker";
    WorkerRegistry entry = registry(env.redis(), frozen);
    Waits.await(entry.heartbeat());
    expireHeartbeat(frozen);
    Waits.await(reap(env.redis()));
    assertThat(env.redis(Command.ZSCORE, env.keys().workers(), frozen)).as("given up by the reapers").isNull();

    Redis blocking = Redis.createClient(vertx, TestEnv.REDIS_URL);
    try {
      WorkQueue queue = new WorkQueue(env.redis(), blocking, env.keys(), entry, 5_000);
      assertThat(Waits.await(queue.take(10, 100))).containsExactly(job.json());
      assertThat(env.redis(Command.ZSCORE, env.keys().workers(), frozen)).as("registered again by its take").isNotNull();
      Waits.await(queue.close());
    } finally {
      blocking.close();
    }

    // it dies holding the job; the running workers' reapers recover it once its heartbeat expires
    env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "1"));
    Invariants.awaitDrained(env, List.of(PRODUCT), Duration.ofSeconds(60));
    Invariants.assertConsistent(env, Map.of(PRODUCT, 10), Set.of(job.orderId().toString()));
  }

  /**
   * A worker paused between its blocking take and the non-blocking take of more jobs, long enough
   * to be reaped: its job went back to the queue. Taking more must not take that job again into
   * the same batch, where one transaction would confirm it twice (found by the model checker).
   */
  @Test
  void aWorkerReapedBetweenItsTwoTakesDoesNotTakeItsJobTwice() {
    OrderJob job = reserveTwoUnits();
    String paused = "paused-worker";
    WorkerRegistry entry = registry(env.redis(), paused);
    Waits.await(entry.heartbeat());
    takenBy(paused);
    expireHeartbeat(paused);
    Waits.await(reap(env.redis()));
    assertThat(env.queueLength()).as("the job back in the queue").isEqualTo(1);

    WorkQueue queue = new WorkQueue(env.redis(), env.redis(), env.keys(), entry, 5_000);
    assertThat(Waits.await(queue.more(job.json(), 10))).as("jobs taken after the pause").isEmpty();
    assertThat(env.queueLength()).isEqualTo(1);

    // what the paused worker writes when it wakes: its one job, once
    BatchResult written = Waits.await(new OrderWriter(env.pool()).write(List.of(job)));
    assertThat(written.stockAfter().get(PRODUCT).stock()).isEqualTo(8);
    env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "1"));
    Invariants.awaitDrained(env, List.of(PRODUCT), Duration.ofSeconds(60));
    Invariants.assertConsistent(env, Map.of(PRODUCT, 10), Set.of(job.orderId().toString()));
  }

  @Test
  void concurrentReapersMoveEachJobOfADeadWorkerExactlyOnce() {
    int jobs = 500;
    String dead = "dead-worker";
    String alive = "alive-worker";
    for (int i = 0; i < jobs; i++) {
      env.redis(Command.LPUSH, env.keys().processing(dead), "job-" + i);
      env.redis(Command.LPUSH, env.keys().processing(alive), "busy-" + i);
    }
    expireHeartbeat(dead);
    Waits.await(registry(env.redis(), alive).heartbeat());

    // each reaper on its own connection, so that the two calls really are in flight together
    Redis first = Redis.createClient(vertx, TestEnv.REDIS_URL);
    Redis second = Redis.createClient(vertx, TestEnv.REDIS_URL);
    try {
      List<Future<Response>> reaps = List.of(reap(first), reap(second), reap(first), reap(second));
      Waits.await(Future.all(reaps));
      long moved = reaps.stream().mapToLong(r -> r.result().get(1).toLong()).sum();
      assertThat(moved).as("jobs moved by all reapers together").isEqualTo(jobs);
    } finally {
      first.close();
      second.close();
    }

    List<String> queued = new ArrayList<>();
    env.redis(Command.LRANGE, env.keys().queue(), 0, -1).forEach(job -> queued.add(job.toString()));
    assertThat(queued).hasSize(jobs);
    assertThat(new HashSet<>(queued)).as("distinct jobs in the queue").hasSize(jobs);
    assertThat(queued.get(jobs - 1)).as("next in line: the dead worker's oldest job").isEqualTo("job-0");
    assertThat(env.redis(Command.LLEN, env.keys().processing(dead)).toLong()).isZero();
    assertThat(env.redis(Command.LLEN, env.keys().processing(alive)).toLong()).as("a live worker's jobs").isEqualTo(jobs);
  }

  private Future<Response> reap(Redis redis) {
    return registry(redis, "reaper").reap();
  }

  /** A worker's registry entry with the heartbeat TTL the running workers of these tests use (2 s). */
  private WorkerRegistry registry(Redis redis, String workerId) {
    return new WorkerRegistry(redis, env.keys(), workerId, 2_000, 5_000);
  }

  /** Reserves 2 of the 10 units through the intake: available 8, inflight 2, one job queued. */
  private OrderJob reserveTwoUnits() {
    Placement placed = Waits.await(env.intake().place(PRODUCT, 2, "buyer", null));
    assertThat(placed).isInstanceOf(Placement.Accepted.class);
    assertThat(env.ledger(PRODUCT, "inflight")).isEqualTo(2);
    return OrderJob.parse(env.redis(Command.LINDEX, env.keys().queue(), 0).toString());
  }

  /** A worker takes the queued job into its processing list, as BLMOVE does. */
  private void takenBy(String worker) {
    env.redis(Command.LMOVE, env.keys().queue(), env.keys().processing(worker), "RIGHT", "LEFT");
    assertThat(env.queueLength()).isZero();
  }

  /** The worker's last heartbeat is long past: any reaper may recover its list. */
  private void expireHeartbeat(String worker) {
    env.redis(Command.ZADD, env.keys().workers(), 0, worker);
  }
}
