package bolt.order;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Order ids: time-ordered UUIDs laid out like version 7 (RFC 9562), so ids sort by creation time,
 * which keeps the orders primary key index append-mostly under a flash sale's insert rate.
 *
 * <p>The 12 bits after the version carry the order's Redis shard (docs/design.md: shards): the marker
 * {@code 10} in the top two bits, then the shard in the low ten, so GET /order finds a pending order
 * with one lookup. An id without the marker (made before shards existed) is in shard 0.
 *
 * <p>The ids of one reservation call come from one {@link Batch} (docs/design.md: pending records):
 * they share their millisecond and a 22-bit batch number, and differ in 40 random bits of their own.
 * They are version 8 (RFC 9562's layout of one's own), which tells them from the version-7 ids of
 * earlier releases: a pending order of those has a record of its own, named by its id.
 */
public final class OrderIds {

  private static final SecureRandom SEED = new SecureRandom();
  private static final long NODE_BITS = SEED.nextLong();
  private static final long MARKER = 0x800L;
  private static final long MARKER_MASK = 0xC00L;
  private static final long SHARD_MASK = 0x3FFL;
  private static final long VERSION_MASK = 0xF000L;
  private static final long BATCHED = 0x8000L;
  private static final long VARIANT = 0x8000000000000000L;
  /** The low 40 bits of an id are its own; the 22 above them, its batch's. */
  private static final long OWN_BITS = (1L << 40) - 1;
  private static final long BATCH_BITS = ((1L << 22) - 1) << 40;

  private OrderIds() {
  }

  /**
   * The ids of one batch of orders of one shard: made on one thread. Two ids of a batch differ in
   * their own 40 bits alone, so a repeat (about once in 500 million batches of 64) is drawn again:
   * two orders with one id would be one order to PostgreSQL.
   */
  public static final class Batch {
    private final long high;
    private final long batch;
    private long[] issued = new long[16];
    private int count;

    private Batch(int shard) {
      if (shard < 0 || shard > SHARD_MASK) {
        throw new IllegalArgumentException("shard out of range: " + shard);
      }
      high = (System.currentTimeMillis() << 16) | BATCHED | MARKER | shard;
      batch = VARIANT | ((ThreadLocalRandom.current().nextLong() ^ NODE_BITS) & BATCH_BITS);
    }

    /** A fresh id in this batch. */
    public UUID next() {
      long own;
      do {
        own = (ThreadLocalRandom.current().nextLong() ^ NODE_BITS) & OWN_BITS;
      } while (issued(own));
      if (count == issued.length) {
        issued = Arrays.copyOf(issued, 2 * count);
      }
      issued[count++] = own;
      return new UUID(high, batch | own);
    }

    private boolean issued(long own) {
      for (int i = 0; i < count; i++) {
        if (issued[i] == own) {
          return true;
        }
      }
      return false;
    }
  }

  /** A new batch of ids of orders of {@code shard} (0 to 1023). */
  public static Batch batch(int shard) {
    return new Batch(shard);
  }

  /** A fresh id of an order of shard 0, in a batch of its own. */
  public static UUID next() {
    return next(0);
  }

  /** A fresh id of an order of {@code shard} (0 to 1023), in a batch of its own. */
  public static UUID next(int shard) {
    return batch(shard).next();
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

  /**
   * The field of the pending hash that holds the order's job while it is pending: its batch's (the
   * id with its own bits cleared), or, for an id of an earlier release, the id itself.
   */
  public static String pendingRecord(UUID id) {
    long high = id.getMostSignificantBits();
    if ((high & VERSION_MASK) != BATCHED) {
      return id.toString();
    }
    return new UUID(high, id.getLeastSignificantBits() & ~OWN_BITS).toString();
  }
}
