package bolt.fulfillment;

import bolt.order.OrderJob;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one batch does to the DB, decided while its product rows are locked: each new order is
 * CONFIRMED while its product's stock lasts (in queue order) and REJECTED after; an order the DB
 * already has is a redelivery and changes nothing (I3); a product the DB lacks makes a poison job.
 */
final class BatchPlan {

  enum Outcome { CONFIRMED, REJECTED, DUPLICATE, UNKNOWN_PRODUCT }

  static final String INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK";

  private final Map<UUID, Outcome> outcomes = new LinkedHashMap<>();
  private final Map<String, StockRow> locked;

  private BatchPlan(Map<String, StockRow> locked) {
    this.locked = locked;
  }

  static BatchPlan of(List<OrderJob> jobs, Map<String, StockRow> locked, Set<UUID> alreadyWritten) {
    BatchPlan plan = new BatchPlan(locked);
    Map<String, Long> remaining = new HashMap<>();
    locked.forEach((id, row) -> remaining.put(id, row.stock()));
    Set<UUID> seen = new HashSet<>(alreadyWritten);
    for (OrderJob job : jobs) {
      Outcome outcome;
      if (!locked.containsKey(job.productId())) {
        outcome = Outcome.UNKNOWN_PRODUCT;
      } else if (!seen.add(job.orderId())) {
        outcome = Outcome.DUPLICATE;
      } else if (remaining.get(job.productId()) >= job.quantity()) {
        remaining.merge(job.productId(), (long) -job.quantity(), Long::sum);
        outcome = Outcome.CONFIRMED;
      } else {
        outcome = Outcome.REJECTED;
      }
      plan.outcomes.put(job.orderId(), outcome);
    }
    return plan;
  }

  Outcome outcome(OrderJob job) {
    return outcomes.get(job.orderId());
  }

  boolean inserts(OrderJob job) {
    Outcome outcome = outcome(job);
    return outcome == Outcome.CONFIRMED || outcome == Outcome.REJECTED;
  }

  /** Units to take per product, counting only confirmed orders that the insert really added. */
  Map<String, Integer> decrements(List<OrderJob> jobs, Set<UUID> inserted) {
    Map<String, Integer> units = new LinkedHashMap<>();
    for (OrderJob job : jobs) {
      if (outcome(job) == Outcome.CONFIRMED && inserted.contains(job.orderId())) {
        units.merge(job.productId(), job.quantity(), Integer::sum);
      }
    }
    return units;
  }

  /** The stock rows as they were when locked, before this batch's decrements. */
  Map<String, StockRow> locked() {
    return locked;
  }
}
