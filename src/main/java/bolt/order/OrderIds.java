package bolt.order;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (version 7, RFC 9562): ids sort by creation time, which keeps the orders
 * primary key index append-mostly under a flash sale's insert rate.
 */
public final class OrderIds {

  private static final SecureRandom SEED = new SecureRandom();
  private static final long NODE_BITS = SEED.nextLong();

  private OrderIds() {
  }

  public static UUID next() {
    long millis = System.currentTimeMillis();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long low = (random.nextLong() ^ NODE_BITS) & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
