package bolt.stock;

import bolt.order.OrderIds;
import bolt.support.TestEnv;
import bolt.support.Waits;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Which shard a product goes to, the keys of a shard, and the shard an order id carries (docs/design.md: shards). */
class ShardsTest {

  @Test
  void aProductsShardIsCrc32OfItsIdModuloTheShardCount() {
    // CRC-32 (IEEE) of "123456789" is 0xCBF43926, the standard check value
    assertThat(Shards.choose("123456789", 1024)).isEqualTo((int) (0xCBF43926L % 1024));
    assertThat(Shards.choose("123456789", 16)).isEqualTo((int) (0xCBF43926L % 16));
    assertThat(Shards.choose("anything", 1)).isZero();
    assertThat(Shards.choose("tee-black", 16)).as("stable across calls").isEqualTo(Shards.choose("tee-black", 16));
  }

  @Test
  void productsSpreadOverEveryShard() {
    Map<Integer, Integer> perShard = new HashMap<>();
    for (int i = 0; i < 1_600; i++) {
      perShard.merge(Shards.choose("product-" + i, 16), 1, Integer::sum);
    }
    assertThat(perShard).hasSize(16);
    assertThat(perShard.values()).allSatisfy(count -> assertThat(count).isBetween(60, 140));
  }

  @Test
  void shardZeroKeepsTheTagOfEveryKeyBeforeShardsExisted() {
    Keys zero = new Shards("bolt", 4).keys(0);
    assertThat(zero.queue()).isEqualTo("{bolt}:queue");
    assertThat(zero.product("p")).isEqualTo(new Keys("bolt").product("p"));
    Keys three = new Shards("bolt", 4).keys(3);
    assertThat(three.queue()).isEqualTo("{bolt:3}:queue");
    assertThat(three.processing("w-1")).isEqualTo("{bolt:3}:processing:w-1");
    assertThat(three.product("p")).isEqualTo("{bolt:3}:product:p");
    assertThat(three.unitsBack()).as("one channel for every shard").isEqualTo(zero.unitsBack())
        .isEqualTo("{bolt}:units-back");
  }

  @Test
  void anOrderIdCarriesItsShard() {
    for (int shard : new int[] {0, 1, 7, 15, 1023}) {
      UUID id = OrderIds.next(shard);
      assertThat(id.version()).isEqualTo(8);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(OrderIds.shard(id, 1024)).isEqualTo(shard);
    }
    assertThat(OrderIds.shard(OrderIds.next(5), 1)).as("a shard past the count reads as 0").isZero();
  }

  @Test
  void anIdWithoutTheShardMarkerIsInShardZero() {
    // a version-7 id whose rand_a has 00 in its top bits, as a quarter of the ids made before shards do
    UUID old = new UUID(0x0190_0000_0000_7123L, 0x8000_0000_0000_0001L);
    assertThat(OrderIds.shard(old, 16)).isZero();
    assertThat(OrderIds.shard(UUID.fromString("01900000-0000-7fff-8000-000000000001"), 16)).isZero();
  }

  @Test
  void idsStayTimeOrdered() {
    UUID earlier = OrderIds.next(9);
    Waits.pause(2);
    UUID later = OrderIds.next(1);
    assertThat(later.getMostSignificantBits() >>> 16).isGreaterThan(earlier.getMostSignificantBits() >>> 16);
  }
}
