package bolt;

import bolt.order.OrderIds;
import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Products spread over 8 shards, on whatever Redis the suite runs on (one server or the cluster):
 * each product's keys live in its shard, an order id names its shard, idempotency holds within a
 * shard, and two workers (fewer than the shards) drain every shard with I1-I4 intact
 * (docs/design.md: shards, workers over shards).
 */
@Timeout(300)
class ShardedSaleTest {

  private static final int SHARDS = 8;
  private static final int PRODUCTS = 16;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void pendingOrdersAreFoundInTheirShardAndKeysAreIdempotentThere() {
    TestEnv env = world.env().useShards(SHARDS);
    String product = productOutsideShardZero(env);
    env.createProduct(product, 10);
    var config = env.start(Map.of("BOLT_ROLES", "http"));
    try (Http http = new Http(world.vertx(), config.httpPort())) {
      JsonObject order = new JsonObject().put("productId", product).put("quantity", 2).put("customerId", "ann");
      var first = http.post("/order", order, "Idempotency-Key", "k-1");
      assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
      String id = first.bodyAsJsonObject().getString("orderId");
      assertThat(OrderIds.shard(UUID.fromString(id), SHARDS)).isEqualTo(env.shards().choose(product));

      var again = http.post("/order", order, "Idempotency-Key", "k-1");
      assertThat(again.statusCode()).isEqualTo(202);
      assertThat(again.bodyAsJsonObject().getString("orderId")).as("the same order again").isEqualTo(id);

      var pending = http.get("/order/" + id);
      assertThat(pending.statusCode()).isEqualTo(200);
      assertThat(pending.bodyAsJsonObject().getString("status")).isEqualTo("PENDING");
      assertThat(env.ledger(product, "available")).isEqualTo(8);
      assertThat(env.redis(Command.LLEN, env.keys(product).queue()).toLong()).as("its shard's queue").isEqualTo(1);
      assertThat(env.redis(Command.LLEN, env.keys().queue()).toLong()).as("shard 0's queue").isZero();
    }
  }

  @Test
  void twoWorkersDrainEightShardsAndStockAddsUp() {
    TestEnv env = world.env().useShards(SHARDS);
    Map<String, Integer> initial = new LinkedHashMap<>();
    for (int i = 0; i < PRODUCTS; i++) {
      initial.put("s" + i, 40 + 5 * i);
      env.createProduct("s" + i, 40 + 5 * i);
    }
    Set<Integer> used = initial.keySet().stream().map(env.shards()::choose).collect(Collectors.toSet());
    assertThat(used).as("shards holding products").hasSizeGreaterThan(4);
    var config = env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "2"));

    OrderLoad load = OrderLoad.start(world.vertx(), config.httpPort(), List.copyOf(initial.keySet()), 16, 2_000)
        .awaitDone(Duration.ofSeconds(120));

    assertThat(load.unexpected()).as("answers other than 202 or 400: %s", load.unexpectedAnswers()).isZero();
    assertThat(load.count(400)).as("the sale sells out").isPositive();
    Invariants.awaitDrained(env, initial.keySet(), Duration.ofSeconds(60));
    Invariants.assertConsistent(env, initial, load.accepted());
    assertThat(env.sql("SELECT DISTINCT shard FROM orders o JOIN products p ON p.id = o.product_id"))
        .as("shards whose orders were written").hasSize(used.size());
  }

  private static String productOutsideShardZero(TestEnv env) {
    for (int i = 0; ; i++) {
      if (env.shards().choose("far-" + i) != 0) {
        return "far-" + i;
      }
    }
  }
}
