package bolt.fulfillment;

import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One worker id, one live process (docs/design.md: workers' identity). Two processes sharing an id
 * share a processing list and a heartbeat, and the survivor of the two keeps the dead one's jobs
 * from ever being reaped; so a second process may take an id only once its holder has gone silent.
 */
class WorkerIdentityTest {

  private static final long TTL_MS = 1_500;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;

  @BeforeEach
  void create() {
    vertx = world.vertx();
    env = world.env();
  }

  /** A registry entry of one process: each instance has its own token, as each process does. */
  private WorkerRegistry process(String workerId) {
    return new WorkerRegistry(env.redis(), env.keys(), workerId, TTL_MS, 2_000);
  }

  @Test
  void aSecondProcessCannotClaimAnIdWhoseHolderKeepsBeating() {
    WorkerRegistry holder = process("w");
    Waits.await(holder.claim(vertx));
    long beating = vertx.setPeriodic(holder.beatIntervalMs(), id -> holder.heartbeat());
    try {
      long started = System.nanoTime();
      assertThatThrownBy(() -> Waits.await(process("w").claim(vertx)))
          .isInstanceOf(WorkerRegistry.WorkerIdInUse.class)
          .hasMessageContaining("worker id w is held by another live process");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("ms before giving up")
          .isLessThan(10_000);
      assertThat(Waits.await(holder.heartbeat()).refused()).as("the holder keeps its id").isFalse();
    } finally {
      vertx.cancelTimer(beating);
    }
  }

  @Test
  void aProcessRestartedUnderItsIdTakesItOverOnceTheOldHolderIsSilentAndTheOldOneStopsTaking() {
    WorkerRegistry dead = process("w");
    Waits.await(dead.claim(vertx));
    env.redis(Command.LPUSH, env.keys().processing("w"), "a job the dead process held");

    WorkerRegistry restarted = process("w");
    Waits.await(restarted.claim(vertx));
    assertThat(Waits.await(restarted.heartbeat()).refused()).isFalse();

    // the first process was only frozen: when it wakes, its heartbeat and its takes are refused
    assertThat(Waits.await(dead.heartbeat()).refused()).as("the old holder's heartbeat refused").isTrue();
    Redis blocking = Redis.createClient(vertx, TestEnv.REDIS_URL);
    WorkQueue oldQueue = new WorkQueue(env.redis(), blocking, env.keys(), dead, 2_000);
    try {
      Future<?> take = oldQueue.take(10, 100);
      assertThatThrownBy(() -> Waits.await(take)).isInstanceOf(WorkerRegistry.WorkerIdInUse.class);
    } finally {
      Waits.await(oldQueue.close());
    }
    assertThat(env.redis(Command.LLEN, env.keys().processing("w")).toLong()).as("the list stays the id's").isEqualTo(1);
  }

  @Test
  void aCleanStopLeavesTheWorkersSetOnlyWithAnEmptyListAndOnlyForItsOwnId() {
    WorkerRegistry holder = process("w");
    Waits.await(holder.claim(vertx));
    env.redis(Command.LPUSH, env.keys().processing("w"), "unfinished");

    Waits.await(holder.retire());
    assertThat(env.redis(Command.ZSCORE, env.keys().workers(), "w")).as("listed while its list holds a job").isNotNull();

    env.redis(Command.DEL, env.keys().processing("w"));
    Waits.await(process("w").retire());
    assertThat(env.redis(Command.ZSCORE, env.keys().workers(), "w")).as("another process cannot retire it").isNotNull();

    Waits.await(holder.retire());
    assertThat(env.redis(Command.ZSCORE, env.keys().workers(), "w")).isNull();
  }
}
