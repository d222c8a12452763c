package bolt.order;

import java.time.Instant;
import java.util.UUID;

/** What the reserve script decided for one order request. */
public sealed interface Placement {

  /** Units reserved and the job queued; {@code replayed} when an idempotency key matched an earlier order. */
  record Accepted(UUID orderId, String productId, int quantity, long available, boolean replayed) implements Placement {
  }

  /**
   * Fewer units than asked were available at the script's atomic instant; {@code remembered}: the
   * process's sold-out memory answered, for an instant at most its bound ago.
   */
  record Refused(long available, boolean remembered) implements Placement {
    /** The sold-out memory's answer, the same every time. */
    static final Refused FROM_MEMORY = new Refused(0, true);
  }

  record UnknownProduct() implements Placement {
  }

  /** The idempotency key was first used for a different product or quantity. */
  record KeyReused(UUID orderId) implements Placement {
  }

  /** The sale window opens at {@code startsAt}; Redis's clock, which decided, read {@code now}. */
  record NotStarted(Instant startsAt, Instant now) implements Placement {
  }

  record Ended(Instant endsAt) implements Placement {
  }

  /** The customer has {@code bought} units counted against the product's limit; this order would pass it. */
  record LimitExceeded(int limit, int bought) implements Placement {
  }

  /** The product has a per-customer limit, and the order named no customer. */
  record CustomerRequired(int limit) implements Placement {
  }
}
