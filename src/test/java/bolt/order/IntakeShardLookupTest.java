package bolt.order;

import bolt.stock.Product;
import bolt.stock.ProductDirectory;
import bolt.stock.SaleRules;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL stays off the intake path with shards (docs/design.md: a product's shard): a running Bolt
 * with two HTTP verticles asks the database at most once for a product it has not met, however many
 * orders for it arrive at once, and never for the products its start-up sync read.
 */
@Timeout(120)
class IntakeShardLookupTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void manyConcurrentOrdersForANewProductCostOneQueryAndSyncedProductsNone() {
    TestEnv env = world.env().useShards(4);
    env.createProduct("synced", 100_000);
    var config = env.start(Map.of("BOLT_ROLES", "http", "BOLT_HTTP_INSTANCES", "2"));
    ProductDirectory directory = ProductDirectory.of(world.vertx(), env.name());

    OrderLoad synced = OrderLoad.start(world.vertx(), config.httpPort(), List.of("synced"), 16, 200)
        .awaitDone(Duration.ofSeconds(60));
    assertThat(synced.count(202)).isEqualTo(200);
    assertThat(directory.queries()).as("queries for a product the start-up sync read").isZero();

    // created by another process after this one synced: in PostgreSQL and Redis, unknown to this process
    env.createProduct("late", 100_000);
    Waits.await(env.stockLedger().sync(new Product("late", "late", 100_000, 0, SaleRules.NONE, null,
        env.shards().choose("late"))));
    OrderLoad late = OrderLoad.start(world.vertx(), config.httpPort(), List.of("late"), 32, 320)
        .awaitDone(Duration.ofSeconds(60));
    assertThat(late.count(202)).as("answers: %s", late.statuses()).isEqualTo(320);
    assertThat(directory.queries()).as("queries for 320 orders (32 at once) of a product not met").isEqualTo(1);
  }
}
