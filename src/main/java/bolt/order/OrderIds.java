package bolt.order;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (version 7, RFC 9562): ids sort by creation time, which keeps the orders
 * primary key index append-mostly under a flash sale's insert rate. The 12 bits of rand_a carry the
 * order's Redis shard (docs/design.md: shards): the marker {@code 10} in the top two bits, then the
 * shard in the low ten, so GET /order finds a pending order's marker with one lookup. An id without
 * the marker (made before shards existed) is in shard 0.
 */
public final class OrderIds {

  private static final SecureRandom SEED = new SecureRandom();
  private static final long NODE_BITS = SEED.nextLong();
  private static final long MARKER = 0x800L;
  private static final long MARKER_MASK = 0xC00L;
  private static final long SHARD_MASK = 0x3FFL;

  private OrderIds() {
  }

  /** A fresh id of an order of shard 0. */
  public static UUID next() {
    return next(0);
  }

  /** A fresh id of an order of {@code shard} (0 to 1023). */
  public static UUID next(int shard) {
    if (shard < 0 || shard > SHARD_MASK) {
      throw new IllegalArgumentException("shard out of range: " + shard);
    }
    long millis = System.currentTimeMillis();
    long high = (millis << 16) | 0x7000L | MARKER | shard;
    long low = (ThreadLocalRandom.current().nextLong() ^ NODE_BITS) & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
    return new UUID(high, low);
  }

  /** The shard an order id carries; 0 for an id without the marker or with a shard not below {@code shards}. */
  public static int shard(UUID id, int shards) {
    long randA = id.getMostSignificantBits() & 0xFFFL;
    if ((randA & MARKER_MASK) != MARKER) {
      return 0;
    }
    int shard = (int) (randA & SHARD_MASK);
    return shard < shards ? shard : 0;
  }
}
