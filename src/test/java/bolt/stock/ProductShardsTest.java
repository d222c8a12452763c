package bolt.stock;

import bolt.config.ConfigException;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Intake finds a product's shard without a PostgreSQL query per request (docs/design.md: a product's
 * shard): the sync pass fills the process's directory, concurrent misses share one query, and an id
 * the database does not know is remembered for a second. A product stored in a shard the process does
 * not have fails its own lookups and sync, not the pass, and start-up refuses the configuration.
 */
@Timeout(60)
class ProductShardsTest {

  private static final int SHARDS = 4;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private static ProductShards shards(TestEnv env, ProductDirectory directory) {
    return new ProductShards(env.shards(), new ProductRepository(env.pool()), directory);
  }

  private static List<Keys> lookUpConcurrently(List<ProductShards> verticles, String productId, int each) {
    List<Future<Keys>> lookups = new ArrayList<>();
    for (int i = 0; i < each; i++) {
      verticles.forEach(shards -> lookups.add(shards.keysOf(productId)));
    }
    Waits.await(Future.all(lookups));
    return lookups.stream().map(Future::result).toList();
  }

  @Test
  void concurrentMissesOfSeveralVerticlesShareOneQuery() {
    TestEnv env = world.env().useShards(SHARDS);
    env.createProduct("late", 10);
    ProductDirectory directory = new ProductDirectory();
    List<ProductShards> verticles = List.of(shards(env, directory), shards(env, directory));

    assertThat(lookUpConcurrently(verticles, "late", 100)).hasSize(200).containsOnly(env.keys("late"));
    assertThat(directory.queries()).as("PostgreSQL queries for 200 concurrent misses").isEqualTo(1);

    lookUpConcurrently(verticles, "late", 10);
    assertThat(directory.queries()).as("queries once the shard is known").isEqualTo(1);
  }

  @Test
  void anIdTheDatabaseDoesNotKnowIsRememberedBriefly() {
    TestEnv env = world.env().useShards(SHARDS);
    ProductDirectory directory = new ProductDirectory();
    List<ProductShards> verticles = List.of(shards(env, directory), shards(env, directory));

    assertThat(lookUpConcurrently(verticles, "ghost", 100)).containsOnly(env.keys("ghost"));
    assertThat(directory.queries()).as("PostgreSQL queries for 200 concurrent misses of an unknown id").isEqualTo(1);

    Waits.eventually(Duration.ofSeconds(10), "the unknown id asked again once forgotten", () -> {
      Waits.await(verticles.get(0).keysOf("ghost"));
      return directory.queries() == 2;
    });
  }

  @Test
  void theSyncPassFillsTheDirectory() {
    TestEnv env = world.env().useShards(SHARDS);
    for (int i = 0; i < 6; i++) {
      env.createProduct("p" + i, 10);
    }
    ProductDirectory directory = new ProductDirectory();
    Waits.await(sync(env, directory).run());

    List<ProductShards> verticles = List.of(shards(env, directory));
    for (int i = 0; i < 6; i++) {
      assertThat(lookUpConcurrently(verticles, "p" + i, 5)).containsOnly(env.keys("p" + i));
    }
    assertThat(directory.queries()).as("queries for products the sync met").isZero();
  }

  @Test
  void aProductInAShardBeyondRedisShardsFailsItselfNotTheSyncAndStartUpRefuses() {
    TestEnv env = world.env().useShards(SHARDS);
    env.createProduct("fine", 7);
    env.sql("INSERT INTO products (id, name, stock, shard) VALUES ('beyond', 'beyond', 5, $1)", SHARDS + 5);
    ProductDirectory directory = new ProductDirectory();

    Future<Keys> lookup = shards(env, directory).keysOf("beyond");
    assertThatThrownBy(() -> Waits.await(lookup)).isInstanceOf(ProductShards.ShardOutOfRange.class)
        .hasMessageContaining("shards can be added, never removed");

    RedisSync sync = sync(env, directory);
    Waits.await(sync.run());
    assertThat(env.ledger("fine", "available")).as("the other products are synced").isEqualTo(7);
    assertThatThrownBy(() -> Waits.await(sync.checkShards())).isInstanceOf(ConfigException.class)
        .hasMessage("redis.shards: is 4 but PostgreSQL holds products in shard 9; it must be at least 10 "
            + "(shards can be added, never removed)");
  }

  private static RedisSync sync(TestEnv env, ProductDirectory directory) {
    StockLedger ledger = new StockLedger(env.redis(), shards(env, directory), 5_000);
    return new RedisSync(new ProductRepository(env.pool()), ledger,
        new StockReturns(ledger, new StockChangeRepository(env.pool()), 5_000), 5_000);
  }
}
