package bolt.fulfillment;

import bolt.order.OrderJob;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one batch does to stock, decided once its orders are inserted and its product rows locked:
 * each newly inserted order is CONFIRMED while its product's stock lasts (in queue order) and
 * REJECTED after; an order the insert skipped was written before (a redelivery) and changes nothing
 * (I3); a product the DB lacks makes a poison job.
 */
final class BatchPlan {

  enum Outcome { CONFIRMED, REJECTED, DUPLICATE, UNKNOWN_PRODUCT }

  static final String INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK";

  private final Map<UUID, Outcome> outcomes = new LinkedHashMap<>();
  private final Map<String, Integer> decrements = new LinkedHashMap<>();
  private final List<UUID> rejected = new ArrayList<>();
  private final Map<String, StockRow> locked;

  private BatchPlan(Map<String, StockRow> locked) {
    this.locked = locked;
  }

  /**
   * @param locked   the batch's products as locked, before any decrement; a missing one is not in the DB
   * @param inserted the orders this batch's insert really added
   */
  static BatchPlan of(List<OrderJob> jobs, Map<String, StockRow> locked, Set<UUID> inserted) {
    BatchPlan plan = new BatchPlan(locked);
    Map<String, Long> remaining = new HashMap<>();
    locked.forEach((id, row) -> remaining.put(id, row.stock()));
    for (OrderJob job : jobs) {
      Outcome outcome;
      if (!locked.containsKey(job.productId())) {
        outcome = Outcome.UNKNOWN_PRODUCT;
      } else if (!inserted.contains(job.orderId())) {
        outcome = Outcome.DUPLICATE;
      } else if (remaining.get(job.productId()) >= job.quantity()) {
        remaining.merge(job.productId(), (long) -job.quantity(), Long::sum);
        plan.decrements.merge(job.productId(), job.quantity(), Integer::sum);
        outcome = Outcome.CONFIRMED;
      } else {
        plan.rejected.add(job.orderId());
        outcome = Outcome.REJECTED;
      }
      plan.outcomes.put(job.orderId(), outcome);
    }
    return plan;
  }

  Outcome outcome(OrderJob job) {
    return outcomes.get(job.orderId());
  }

  /** Units to take per product: the confirmed orders' quantities. */
  Map<String, Integer> decrements() {
    return decrements;
  }

  /** Inserted orders the stock could not cover. */
  List<UUID> rejected() {
    return rejected;
  }

  /** The stock rows as they were when locked, before this batch's decrements. */
  Map<String, StockRow> locked() {
    return locked;
  }
}
