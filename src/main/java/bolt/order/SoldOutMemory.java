package bolt.order;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What an API process remembers of the products it found sold out, so that a flash sale's flood
 * of refusals does not cost a Redis round trip each (docs/design.md: sold-out answers from memory).
 *
 * <p>A product seen with no unit left is refused from memory for at most {@code maxAgeMs}, counted
 * from the moment the order that found it so was sent to Redis. Once half of that has passed, one
 * order goes to Redis to check again while the others are still refused from memory; its answer
 * renews the memory or ends it, so a product that stays sold out is refused from memory without a
 * gap, at about one Redis call per half bound. Should that check not answer, the memory ends at the
 * bound as it would without it.
 *
 * <p>A message on the units-back channel, which every script that gives units back publishes,
 * forgets the product at once, and voids the sold-out answers of the checks that were on their way
 * when it came (they may have run before the units came back). Memory is trusted only while the
 * process listens on that channel: a lost message can delay a sale by at most {@code maxAgeMs}, and
 * a lost subscription forgets everything.
 */
public final class SoldOutMemory {

  /** A product seen sold out: when the call that saw it so was sent, and whether a check of it is on its way. */
  private record SoldOut(long checkedAt, boolean rechecking) {
  }

  private final Map<String, SoldOut> soldOut = new ConcurrentHashMap<>();
  private final long maxAgeNanos;
  private final long recheckAfterNanos;
  private final LongSupplier nanoClock;
  /**
   * When the last units-back message came, or the subscription changed: checks sent before it may
   * have run before the units came back.
   */
  private volatile long unitsBackAt;
  private volatile boolean listening;

  /** @param maxAgeMs how long a sold-out product is refused without asking Redis again; 0 turns memory off */
  public SoldOutMemory(long maxAgeMs) {
    this(maxAgeMs, System::nanoTime);
  }

  /** @param nanoClock the clock ages are measured on, as {@link System#nanoTime()} */
  SoldOutMemory(long maxAgeMs, LongSupplier nanoClock) {
    this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
    this.recheckAfterNanos = maxAgeNanos / 2;
    this.nanoClock = nanoClock;
    this.unitsBackAt = nanoClock.getAsLong();
  }

  public static SoldOutMemory off() {
    return new SoldOutMemory(0);
  }

  /**
   * True when the product is to be refused from memory: it was seen sold out within the bound, and
   * nothing said units came back since. False for the one order that checks it again past half the
   * bound: that order asks Redis, and its answer goes to {@link #seen}.
   */
  boolean soldOut(String productId) {
    if (!listening) {
      return false;
    }
    SoldOut seen = soldOut.get(productId);
    if (seen == null) {
      return false;
    }
    long age = nanoClock.getAsLong() - seen.checkedAt();
    if (age > maxAgeNanos) {
      soldOut.remove(productId, seen);
      return false;
    }
    return age <= recheckAfterNanos || seen.rechecking()
        || !soldOut.replace(productId, seen, new SoldOut(seen.checkedAt(), true));
  }

  /** The instant a call to Redis is sent, for {@link #seen}. */
  long now() {
    return nanoClock.getAsLong();
  }

  /**
   * Redis answered for the product, to a call sent at {@code sentAt} ({@link #now()}): remember it
   * sold out if no unit was left, else forget it.
   */
  void seen(String productId, long available, long sentAt) {
    if (available > 0 || maxAgeNanos == 0) {
      forget(productId);
      return;
    }
    SoldOut seen = new SoldOut(sentAt, false);
    soldOut.put(productId, seen);
    // units-back sets its time before it forgets: a message this missed is one that forgets this entry
    if (unitsBackAt - sentAt > 0) {
      soldOut.remove(productId, seen);
    }
  }

  /** Redis gave the product an answer other than sold out or accepted: its next orders ask Redis. */
  void forget(String productId) {
    if (!soldOut.isEmpty()) {
      soldOut.remove(productId);
    }
  }

  /** A script gave units of the product back. */
  public void unitsBack(String productId) {
    unitsBackAt = nanoClock.getAsLong();
    soldOut.remove(productId);
  }

  /**
   * The subscription is up (memory may be used) or down (memory unused); either way everything is
   * forgotten, and the checks on their way are voided: news may have been missed meanwhile.
   */
  public void listening(boolean up) {
    listening = up && maxAgeNanos > 0;
    unitsBackAt = nanoClock.getAsLong();
    soldOut.clear();
  }
}
