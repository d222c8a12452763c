package bolt.stock;

import bolt.support.LogCapture;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import ch.qos.logback.classic.Level;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raising redis.shards: the new shards have no sync mark, like a Redis that lost its data, but the
 * database remembers how many shards were synced, so they are reported as added, never as lost;
 * a shard that was synced and lost its mark is still reported as lost.
 */
class ShardsAddedTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void shardsAddedSinceTheLastSyncAreNotReportedAsLostData() {
    TestEnv env = world.env().useShards(1);
    env.createProduct("first", 5);
    Waits.await(sync(env).run());

    env.useShards(3);
    try (LogCapture log = LogCapture.attach()) {
      Waits.await(sync(env).run());

      assertThat(log.matching(Level.ERROR, "lost its data")).as("ERROR lines" + LogCapture.describe(
          log.matching(Level.ERROR, ""))).isEmpty();
      assertThat(log.matching(Level.INFO, "Redis shards [1, 2] added (redis.shards was 1)")).hasSize(1);
    }
    for (int shard = 0; shard < 3; shard++) {
      assertThat(env.redis(Command.EXISTS, env.shards().keys(shard).synced()).toInteger())
          .as("sync mark of shard %d", shard).isEqualTo(1);
    }
  }

  @Test
  void aSyncedShardThatLostItsMarkIsStillReportedAsLost() {
    TestEnv env = world.env().useShards(3);
    Waits.await(sync(env).run());
    env.redis(Command.DEL, env.shards().keys(1).synced());

    try (LogCapture log = LogCapture.attach()) {
      Waits.await(sync(env).run());

      var lost = log.matching(Level.ERROR, "Redis had lost its data (shards [1] ");
      assertThat(lost).as("ERROR lines" + LogCapture.describe(lost)).hasSize(1);
      assertThat(log.matching(Level.INFO, "added")).isEmpty();
    }
  }

  private static RedisSync sync(TestEnv env) {
    StockLedger ledger = env.stockLedger();
    return new RedisSync(new ProductRepository(env.pool()), ledger,
        new StockReturns(ledger, new StockChangeRepository(env.pool()), 5_000), 5_000);
  }
}
