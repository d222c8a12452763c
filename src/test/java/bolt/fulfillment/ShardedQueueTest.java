package bolt.fulfillment;

import bolt.stock.Keys;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shard whose commands fail is skipped: it must not stop a worker from draining the other shards
 * (docs/design.md: workers over shards). The failing shard is a real Redis error: its processing list
 * key holds a string, so LRANGE and LMOVE into it answer WRONGTYPE, as an unreachable master's would fail.
 */
@Timeout(120)
class ShardedQueueTest {

  private static final int SHARDS = 4;
  private static final int BAD = 1;
  private static final int GOOD = 2;
  private static final String WORKER = "w";

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;
  private Redis blocking;
  private ShardedQueue queue;

  @BeforeEach
  void create() {
    vertx = world.vertx();
    env = world.env().useShards(SHARDS);
    blocking = env.newClient();
    // the bad shard: a job waits in its queue (so a poll moves one: LMOVE into a string fails) and its
    // processing list cannot be read
    env.redis(Command.SET, keys(BAD).processing(WORKER), "not a list");
    env.redis(Command.LPUSH, keys(BAD).queue(), "bad-1");
    for (int i = 1; i <= 5; i++) {
      env.redis(Command.LPUSH, keys(GOOD).queue(), "good-" + i);
    }
  }

  @AfterEach
  void close() {
    if (queue != null) {
      Waits.await(queue.close());
    }
  }

  private Keys keys(int shard) {
    return env.shards().keys(shard);
  }

  private ShardedQueue queue(long coolDownMs) {
    String token = UUID.randomUUID().toString();
    List<WorkQueue> queues = new ArrayList<>();
    for (Keys keys : env.shards().all()) {
      WorkerRegistry registry = new WorkerRegistry(env.redis(), keys, WORKER, token, 10_000, 2_000);
      queues.add(new WorkQueue(env.redis(), keys.shard() == 0 ? blocking : null, keys, registry, 2_000));
    }
    queue = new ShardedQueue(queues, 0, coolDownMs);
    return queue;
  }

  /** One take, settled at once as an ack would: the job leaves this worker's processing list. */
  private List<String> take(ShardedQueue queue) {
    List<String> jobs = Waits.await(queue.take(1, 100));
    for (String job : jobs) {
      env.redis(Command.LREM, keys(queue.current()).processing(WORKER), 0, job);
    }
    return jobs;
  }

  @Test
  void everyTakeGoesPastAShardThatFailsEvenWithoutCoolingDown() {
    ShardedQueue queue = queue(0);
    List<String> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<String> jobs = take(queue);
      assertThat(queue.current()).as("the shard of take %d", i).isEqualTo(GOOD);
      taken.addAll(jobs);
    }
    assertThat(taken).containsExactly("good-1", "good-2", "good-3", "good-4", "good-5");
    assertThat(env.redis(Command.LLEN, keys(BAD).queue()).toLong()).as("the bad shard's job stays queued")
        .isEqualTo(1);
  }

  @Test
  void aShardThatFailedIsLeftAloneWhileItCoolsDownThenReadAgain() {
    ShardedQueue queue = queue(1_500);
    assertThat(take(queue)).containsExactly("good-1");
    assertThat(queue.coolingDown(BAD)).as("the bad shard cools down").isTrue();

    // the shard answers again, with a leftover of this worker in its list and its job still queued
    env.redis(Command.DEL, keys(BAD).processing(WORKER));
    env.redis(Command.LPUSH, keys(BAD).processing(WORKER), "left-over");
    long fixedAt = System.nanoTime();
    List<String> whileCooling = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      whileCooling.addAll(take(queue));
    }
    if (System.nanoTime() - fixedAt < Duration.ofMillis(1_000).toNanos()) {
      assertThat(whileCooling).as("nothing of the cooling shard is read").containsExactly("good-2", "good-3", "good-4");
    }

    List<String> later = new ArrayList<>();
    Waits.eventually(Duration.ofSeconds(10), "the shard's leftover and job taken once it cooled down", () -> {
      later.addAll(take(queue));
      return later.contains("left-over") && later.contains("bad-1");
    });
    assertThat(later.indexOf("left-over")).as("its leftover before its new job").isLessThan(later.indexOf("bad-1"));
    assertThat(queue.coolingDown(BAD)).isFalse();
  }
}
