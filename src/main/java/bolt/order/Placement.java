package bolt.order;

import java.util.UUID;

/** What the reserve script decided for one order request. */
public sealed interface Placement {

  /** Units reserved and the job queued; {@code replayed} when an idempotency key matched an earlier order. */
  record Accepted(UUID orderId, String productId, int quantity, long available, boolean replayed) implements Placement {
  }

  /** Fewer units than asked were available at the script's atomic instant. */
  record Refused(long available) implements Placement {
  }

  record UnknownProduct() implements Placement {
  }

  /** The idempotency key was first used for a different product or quantity. */
  record KeyReused(UUID orderId) implements Placement {
  }
}
