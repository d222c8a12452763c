package bolt.order;

import bolt.infra.Unavailable;
import bolt.stock.StockReturns;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.UUID;

/**
 * Cancellation and payment (docs/design.md: sale rules). Each changes the order in PostgreSQL
 * first; units that go back are then given to Redis by the same rules as a restock
 * ({@link StockReturns}): once, whatever the order of arrival, and again later if Redis does not
 * take them now.
 */
public class OrderAdmin {

  private final OrderStatusRepository statuses;
  private final OrderService orders;
  private final StockReturns returns;
  private final long timeoutMs;

  public OrderAdmin(OrderStatusRepository statuses, OrderService orders, StockReturns returns, long timeoutMs) {
    this.statuses = statuses;
    this.orders = orders;
    this.returns = returns;
    this.timeoutMs = timeoutMs;
  }

  public Future<StatusChange> cancel(UUID orderId) {
    return db(statuses.cancel(orderId)).compose(outcome -> {
      if (outcome.change() instanceof StatusChange.Unknown) {
        return notWritten(orderId);
      }
      // the cancellation has happened: Redis gets the units now or from the pending changes later
      return returns.applyAll(outcome.changes()).otherwiseEmpty().map(applied -> outcome.change());
    });
  }

  public Future<StatusChange> pay(UUID orderId) {
    return db(statuses.pay(orderId)).compose(paid -> paid != null
        ? Future.succeededFuture(new StatusChange.Done(paid, false))
        : orders.find(orderId).map(found -> found.map(this::whyNotPaid).orElse(new StatusChange.Unknown())));
  }

  private StatusChange whyNotPaid(OrderView order) {
    return switch (order.status()) {
      case OrderView.PAID -> new StatusChange.Done(order, true);
      case OrderView.PENDING -> new StatusChange.Pending();
      case OrderView.CONFIRMED -> order.payBy() != null && !order.payBy().isAfter(Instant.now())
          ? new StatusChange.Refused(order, "HOLD_EXPIRED") : new StatusChange.Refused(order, "ORDER_NOT_PAYABLE");
      case OrderView.CANCELLED -> new StatusChange.Refused(order,
          OrderStatusRepository.HOLD_EXPIRED.equals(order.reason()) ? "HOLD_EXPIRED" : "ORDER_NOT_PAYABLE");
      default -> new StatusChange.Refused(order, "ORDER_NOT_PAYABLE");
    };
  }

  /** Not in the DB: pending in Redis (accepted, not yet written), or unknown. */
  private Future<StatusChange> notWritten(UUID orderId) {
    return orders.find(orderId).map(found -> found.isPresent() && OrderView.PENDING.equals(found.get().status())
        ? new StatusChange.Pending() : new StatusChange.Unknown());
  }

  private <T> Future<T> db(Future<T> call) {
    return Unavailable.guard("postgres", timeoutMs, call);
  }
}

