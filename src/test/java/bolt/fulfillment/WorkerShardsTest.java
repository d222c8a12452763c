package bolt.fulfillment;

import bolt.stock.Keys;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A worker's id over several shards (docs/design.md: workers over shards): claimed in every shard or
 * in none, and a worker that a shard refuses stops beating everywhere, so that its lists are reaped.
 * Each "process" is a token driving the real heartbeat.lua, as a process's registries do.
 */
@Timeout(120)
class WorkerShardsTest {

  private static final int SHARDS = 4;
  private static final int LATE = 2;
  private static final long TTL_MS = 1_500;
  private static final String WORKER = "w";

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;
  private final List<ShardedQueue> queues = new ArrayList<>();
  private final List<WorkerShards> registrations = new ArrayList<>();

  @BeforeEach
  void create() {
    vertx = world.vertx();
    env = world.env().useShards(SHARDS);
  }

  @AfterEach
  void close() {
    registrations.forEach(WorkerShards::stopBeating);
    queues.forEach(queue -> Waits.await(queue.close()));
  }

  /** One process's registration of the worker id in every shard, under its own token. */
  private final class Process {
    final String token = UUID.randomUUID().toString();
    final List<WorkerRegistry> registries = new ArrayList<>();
    final AtomicBoolean refused = new AtomicBoolean();
    final WorkerShards registration;

    Process() {
      List<WorkQueue> shardQueues = new ArrayList<>();
      for (Keys keys : env.shards().all()) {
        WorkerRegistry registry = new WorkerRegistry(env.redis(), keys, WORKER, token, TTL_MS, 2_000);
        registries.add(registry);
        shardQueues.add(new WorkQueue(env.redis(), null, keys, registry, 2_000));
      }
      ShardedQueue queue = new ShardedQueue(shardQueues, 0);
      queues.add(queue);
      registration = new WorkerShards(vertx, registries, queue, () -> refused.set(true));
      registrations.add(registration);
    }

    /** Whether the shard's owners hash names this process for the id. */
    boolean owns(int shard) {
      Response owner = env.redis(Command.HGET, env.shards().keys(shard).workerOwners(), WORKER);
      return owner != null && owner.toString().equals(token);
    }

    boolean beat(int shard) {
      return !Waits.await(registries.get(shard).heartbeat()).refused();
    }
  }

  @Test
  void aRestartTakesTheIdOverInEveryShardOnceTheOldHolderIsSilentInEach() {
    Process old = new Process();
    Waits.await(old.registration.claim());
    // the old process beat one shard after the others, then died
    assertThat(old.beat(LATE)).isTrue();

    Process restarted = new Process();
    Waits.await(restarted.registration.claim());
    for (int shard = 0; shard < SHARDS; shard++) {
      assertThat(restarted.owns(shard)).as("the restarted process holds the id in shard %d", shard).isTrue();
    }
  }

  @Test
  void aProcessRefusedInOneShardIsRegisteredInNone() {
    Process holder = new Process();
    Waits.await(holder.registration.claim());
    // the holder is alive in one shard only (it keeps beating there)
    long beating = vertx.setPeriodic(200, id -> holder.registries.get(LATE).heartbeat());
    try {
      Process second = new Process();
      assertThatThrownBy(() -> Waits.await(second.registration.claim()))
          .isInstanceOf(WorkerRegistry.WorkerIdInUse.class);
      for (int shard = 0; shard < SHARDS; shard++) {
        assertThat(second.owns(shard)).as("the refused process holds the id in shard %d", shard).isFalse();
      }
      assertThat(holder.owns(LATE)).isTrue();
    } finally {
      vertx.cancelTimer(beating);
    }
  }

  @Test
  void aWorkerRefusedInOneShardStopsBeatingEverywhereAndItsListsAreReaped() {
    Process frozen = new Process();
    Waits.await(frozen.registration.claim());
    Keys listed = env.shards().keys(1);
    env.redis(Command.LPUSH, listed.processing(WORKER), "a job in hand");

    // the process freezes; a restarted one takes the id over in one shard once it is silent there
    Process restarted = new Process();
    Waits.eventually(Duration.ofSeconds(10), "the id taken over in shard " + LATE, () -> restarted.beat(LATE));

    // the frozen one wakes and beats: refused in that shard, it stops beating in all of them
    frozen.registration.startBeating();
    Waits.eventually(Duration.ofSeconds(10), "the refusal noticed", frozen.refused::get);
    assertThat(frozen.registration.isRefused()).isTrue();
    assertThat(frozen.owns(0)).as("it left the shards whose list was empty").isFalse();

    WorkerRegistry reaper = new WorkerRegistry(env.redis(), listed, "reaper", TTL_MS, 2_000);
    Waits.eventually(Duration.ofSeconds(15), "its job in shard 1 requeued by a reaper", () -> {
      Waits.await(reaper.reap());
      return env.redis(Command.LLEN, listed.queue()).toLong() == 1;
    });
    assertThat(env.redis(Command.LLEN, listed.processing(WORKER)).toLong()).isZero();
  }
}
