package bolt.order;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What an API process remembers of the products it found sold out, so that a flash sale's flood
 * of refusals does not cost a Redis round trip each (docs/design.md: sold-out answers from memory).
 * A product seen with no unit left is refused from memory for at most {@code maxAgeMs}; a message on
 * the units-back channel, which every script that gives units back publishes, forgets it at once.
 * Memory is trusted only while the process listens on that channel: a lost message can delay a sale
 * by at most {@code maxAgeMs}, and a lost subscription forgets everything.
 */
public final class SoldOutMemory {

  private final Map<String, Long> soldOutSince = new ConcurrentHashMap<>();
  private final long maxAgeNanos;
  private volatile boolean listening;

  /** @param maxAgeMs how long a sold-out product is refused without asking Redis again; 0 turns memory off */
  public SoldOutMemory(long maxAgeMs) {
    this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
  }

  public static SoldOutMemory off() {
    return new SoldOutMemory(0);
  }

  /** True when the product was seen sold out within the bound, and nothing said units came back since. */
  boolean soldOut(String productId) {
    if (!listening) {
      return false;
    }
    Long since = soldOutSince.get(productId);
    if (since == null) {
      return false;
    }
    if (System.nanoTime() - since > maxAgeNanos) {
      soldOutSince.remove(productId, since);
      return false;
    }
    return true;
  }

  /** Redis answered for the product: remember it sold out if no unit is left, else forget. */
  void seen(String productId, long available) {
    if (available <= 0 && maxAgeNanos > 0) {
      soldOutSince.put(productId, System.nanoTime());
    } else if (!soldOutSince.isEmpty()) {
      soldOutSince.remove(productId);
    }
  }

  /** A script gave units of the product back. */
  public void unitsBack(String productId) {
    soldOutSince.remove(productId);
  }

  /** The subscription is up (memory may be used) or down (everything forgotten, memory unused). */
  public void listening(boolean up) {
    listening = up && maxAgeNanos > 0;
    if (!up) {
      soldOutSince.clear();
    }
  }
}
