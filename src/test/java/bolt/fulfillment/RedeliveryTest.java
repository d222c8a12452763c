package bolt.fulfillment;

import bolt.order.OrderJob;
import bolt.order.OrderService;
import bolt.support.Invariants;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.stock.LuaScript;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I3, exactly-once effect: a job delivered twice changes stock once. Covers the worker that
 * committed but died before its ack, the worker that was only slow and acks after a reaper handed
 * its job to someone else, and two reapers racing for the same dead worker.
 */
@Timeout(180)
class RedeliveryTest {

  private static final LuaScript RESERVE = LuaScript.load("reserve");
  private static final LuaScript REAP = LuaScript.load("reap");
  private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat");
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
    // the keys start-up sync would create
    env.redis(Command.HSET, env.keys().product(PRODUCT), "available", 10, "inflight", 0, "dbstock", 10, "dbver", 0);
  }

  @Test
  void jobCommittedButNotAckedByADeadWorkerChangesStockOnce() {
    OrderJob job = reserveTwoUnits();
    takenBy("dead-worker");
    BatchResult committed = TestEnv.await(new OrderWriter(env.pool()).write(List.of(job)));
    assertThat(committed.stockAfter().get(PRODUCT).stock()).isEqualTo(8);
    expireHeartbeat("dead-worker");

    var config = env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "2"));
    Invariants.awaitDrained(env, List.of(PRODUCT), Duration.ofSeconds(60));

    assertThat(env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n")).as("order rows").isEqualTo(1);
    assertThat(env.dbStock(PRODUCT)).as("stock decremented once").isEqualTo(8);
    assertThat(env.ledger(PRODUCT, "available")).isEqualTo(8);
    assertThat(env.ledger(PRODUCT, "dbstock")).isEqualTo(8);
    assertThat(env.redis(Command.ZSCORE, env.keys().workers(), "dead-worker")).as("dead worker reaped").isNull();
    Invariants.assertConsistent(env, Map.of(PRODUCT, 10), Set.of(job.orderId().toString()));
    var reply = TestEnv.await(WebClient.create(vertx).get(config.httpPort(), "127.0.0.1", "/order/" + job.orderId()).send());
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
    BatchResult late = TestEnv.await(new OrderWriter(env.pool()).write(List.of(job)));
    WorkQueue slowQueue = new WorkQueue(env.redis(), env.redis(), env.keys(), slow, 5_000);
    Response acked = TestEnv.await(slowQueue.ack(late.written(), late.stockAfter()));

    assertThat(acked.get(0).toInteger()).as("jobs the late ack settled").isZero();
    assertThat(env.ledger(PRODUCT, "inflight")).as("inflight, not settled twice").isZero();
    assertThat(env.ledger(PRODUCT, "available")).isEqualTo(8);
    assertThat(env.dbStock(PRODUCT)).isEqualTo(8);
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
    TestEnv.await(HEARTBEAT.run(env.redis(), List.of(env.keys().workers()), List.of(alive)));

    // each reaper on its own connection, so that the two calls really are in flight together
    Redis first = Redis.createClient(vertx, TestEnv.REDIS_URL);
    Redis second = Redis.createClient(vertx, TestEnv.REDIS_URL);
    try {
      List<Future<Response>> reaps = List.of(reap(first), reap(second), reap(first), reap(second));
      TestEnv.await(Future.all(reaps));
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
    return REAP.run(redis, List.of(env.keys().workers(), env.keys().queue()),
        List.of(2_000, env.keys().processingPrefix()));
  }

  /** Reserves 2 of the 10 units through the intake script: available 8, inflight 2, one job queued. */
  private OrderJob reserveTwoUnits() {
    OrderJob job = OrderJob.create(UUID.randomUUID(), PRODUCT, 2, "buyer", Instant.now());
    Response reply = TestEnv.await(RESERVE.run(env.redis(),
        List.of(env.keys().product(PRODUCT), env.keys().queue(), env.keys().order(job.orderId().toString())),
        List.of(2, job.json(), OrderService.RETENTION_SECONDS, OrderService.RETENTION_SECONDS)));
    assertThat(reply.get(0).toInteger()).isEqualTo(1);
    assertThat(env.ledger(PRODUCT, "inflight")).isEqualTo(2);
    return job;
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
