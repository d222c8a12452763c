package bolt.order;

/** What a request to change a written order's status (cancel, pay) came to. */
public sealed interface StatusChange {

  /** Changed, or ({@code replayed}) it had been changed so by an earlier request. */
  record Done(OrderView order, boolean replayed) implements StatusChange {
  }

  /** Accepted, not yet written: its status cannot change before it is. */
  record Pending() implements StatusChange {
  }

  record Unknown() implements StatusChange {
  }

  /** The order's status does not allow it; {@code code} says why (ORDER_NOT_CANCELLABLE, HOLD_EXPIRED, ...). */
  record Refused(OrderView order, String code) implements StatusChange {
  }
}
