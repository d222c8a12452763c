package bolt.order;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An order accepted before the installation had shards is in shard 0, whatever its id's bits say:
 * a random id carries the shard marker by chance a quarter of the time. Once shards are raised,
 * GET /order still finds such an order while it is pending.
 */
class PreShardOrderIdTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void aPendingOrderWhoseOldIdNamesAnotherShardIsFoundInShardZero() {
    TestEnv env = world.env().useShards(2);
    env.createProduct("old", 10);
    int port = env.start(Map.of("BOLT_ROLES", "http")).httpPort();
    // an id of a pre-shard Bolt (version 7, random bits) that happens to read as shard 1; its order
    // queued in shard 0, with a pending record of its own
    UUID id = new UUID((System.currentTimeMillis() << 16) | 0x7000L | 0x800L | 1,
        0x8000000000000000L | (ThreadLocalRandom.current().nextLong() >>> 2));
    assertThat(OrderIds.shard(id, 2)).isEqualTo(1);
    assertThat(OrderIds.pendingRecord(id)).isEqualTo(id.toString());
    OrderJob job = OrderJob.create(id, "old", 2, null, Instant.now());
    env.redis(Command.HSET, env.shards().keys(0).pending(), id.toString(), job.json());

    try (Http http = new Http(world.vertx(), port)) {
      var answer = http.get("/order/" + id);
      assertThat(answer.statusCode()).isEqualTo(200);
      JsonObject order = answer.bodyAsJsonObject();
      assertThat(order.getString("status")).isEqualTo("PENDING");
      assertThat(order.getString("productId")).isEqualTo("old");
      assertThat(order.getInteger("quantity")).isEqualTo(2);
      assertThat(http.get("/order/" + OrderIds.next(1)).statusCode()).as("an id in neither shard").isEqualTo(404);
    }
  }
}
