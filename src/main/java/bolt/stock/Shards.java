package bolt.stock;

import bolt.config.BoltConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The S shards products are spread over (docs/design.md: shards), each with its own keys. A product's
 * shard is chosen once, when it is created, as CRC32(product id) mod S, and stored with it in
 * PostgreSQL: changing S later moves no live product.
 */
public final class Shards {

  private final List<Keys> keys;

  public Shards(String prefix, int count) {
    this(keysOf(prefix, count));
  }

  private Shards(List<Keys> keys) {
    this.keys = List.copyOf(keys);
  }

  /** The shards of this installation: its key prefix, over {@code redis.shards}. */
  public static Shards of(BoltConfig config) {
    return new Shards(config.keyPrefix(), config.redis().shards());
  }

  /** One shard of the given keys: for code and tests that drive one shard. */
  public static Shards single(Keys keys) {
    return new Shards(List.of(keys));
  }

  private static List<Keys> keysOf(String prefix, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + count);
    }
    List<Keys> all = new ArrayList<>(count);
    for (int shard = 0; shard < count; shard++) {
      all.add(new Keys(prefix, shard));
    }
    return all;
  }

  public int count() {
    return keys.size();
  }

  /** The keys of one shard. */
  public Keys keys(int shard) {
    return keys.get(shard);
  }

  /** Every shard's keys, shard 0 first. */
  public List<Keys> all() {
    return keys;
  }

  /** The shard a new product goes to: stable, and the same in every process and language (CRC-32, IEEE). */
  public static int choose(String productId, int count) {
    CRC32 crc = new CRC32();
    crc.update(productId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % count);
  }

  public int choose(String productId) {
    return choose(productId, count());
  }
}
