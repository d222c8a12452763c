package bolt.fulfillment;

import bolt.order.OrderJob;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one batch does to stock, decided once its orders are inserted and its product rows locked:
 * in queue order, each newly inserted order is REJECTED with LIMIT_EXCEEDED if its units would take
 * the customer past the product's limit, else CONFIRMED while its product's stock lasts, else
 * REJECTED with INSUFFICIENT_STOCK; an order the insert skipped was written before (a redelivery)
 * and changes nothing (I3); a product the DB lacks makes a poison job.
 */
final class BatchPlan {

  enum Outcome { CONFIRMED, REJECTED, DUPLICATE, UNKNOWN_PRODUCT }

  /** What the ack does with a job's units (ack.lua): sold, or refused with or without the DB's units. */
  enum Settlement {
    SOLD("S"), REFUSED_FOR_STOCK("R"), REFUSED_FOR_LIMIT("L");

    final String code;

    Settlement(String code) {
      this.code = code;
    }
  }

  static final String INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK";
  static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";

  /** A customer's count toward one product's limit. */
  record Counted(String productId, String customerId) {
  }

  /**
   * What the batch's transaction found: the products as locked (a missing one is not in the DB),
   * their limits, the orders the insert really added, how each order written before was settled,
   * and the customers' counts before this batch.
   */
  record Found(Map<String, StockRow> locked, Map<String, Integer> limits, Set<UUID> inserted,
               Map<UUID, Settlement> earlier, Map<Counted, Integer> counted) {
  }

  private final Found found;
  private final Map<UUID, Outcome> outcomes = new LinkedHashMap<>();
  private final Map<UUID, Settlement> settlements = new HashMap<>();
  private final Map<String, Integer> decrements = new LinkedHashMap<>();
  private final Map<UUID, String> rejected = new LinkedHashMap<>();
  private final Map<Counted, Integer> countedUnits = new LinkedHashMap<>();

  private BatchPlan(Found found) {
    this.found = found;
  }

  static BatchPlan of(Iterable<OrderJob> jobs, Found found) {
    BatchPlan plan = new BatchPlan(found);
    Map<String, Long> remaining = new HashMap<>();
    found.locked().forEach((id, row) -> remaining.put(id, row.stock()));
    Map<Counted, Integer> bought = new HashMap<>(found.counted());
    for (OrderJob job : jobs) {
      plan.decide(job, remaining, bought);
    }
    return plan;
  }

  private void decide(OrderJob job, Map<String, Long> remaining, Map<Counted, Integer> bought) {
    UUID id = job.orderId();
    if (!found.locked().containsKey(job.productId())) {
      outcomes.put(id, Outcome.UNKNOWN_PRODUCT);
      return;
    }
    if (!found.inserted().contains(id)) {
      outcomes.put(id, Outcome.DUPLICATE);
      settlements.put(id, found.earlier().getOrDefault(id, Settlement.SOLD));
      return;
    }
    Counted customer = job.countedCustomer() == null ? null : new Counted(job.productId(), job.countedCustomer());
    Integer limit = found.limits().get(job.productId());
    if (customer != null && limit != null && bought.getOrDefault(customer, 0) + job.quantity() > limit) {
      reject(job, LIMIT_EXCEEDED, Settlement.REFUSED_FOR_LIMIT);
    } else if (remaining.get(job.productId()) >= job.quantity()) {
      remaining.merge(job.productId(), (long) -job.quantity(), Long::sum);
      decrements.merge(job.productId(), job.quantity(), Integer::sum);
      if (customer != null) {
        bought.merge(customer, job.quantity(), Integer::sum);
        countedUnits.merge(customer, job.quantity(), Integer::sum);
      }
      outcomes.put(id, Outcome.CONFIRMED);
      settlements.put(id, Settlement.SOLD);
    } else {
      reject(job, INSUFFICIENT_STOCK, Settlement.REFUSED_FOR_STOCK);
    }
  }

  private void reject(OrderJob job, String reason, Settlement settlement) {
    rejected.put(job.orderId(), reason);
    outcomes.put(job.orderId(), Outcome.REJECTED);
    settlements.put(job.orderId(), settlement);
  }

  Outcome outcome(OrderJob job) {
    return outcomes.get(job.orderId());
  }

  /** How the ack settles a written job. */
  Settlement settlement(OrderJob job) {
    return settlements.get(job.orderId());
  }

  /** Units to take per product: the confirmed orders' quantities. */
  Map<String, Integer> decrements() {
    return decrements;
  }

  /** Inserted orders refused, with their reasons, in queue order. */
  Map<UUID, String> rejected() {
    return rejected;
  }

  /** Units to add to each customer's count: the confirmed orders that count against a limit. */
  Map<Counted, Integer> countedUnits() {
    return countedUnits;
  }

  /** The stock rows as they were when locked, before this batch's decrements. */
  Map<String, StockRow> locked() {
    return found.locked();
  }
}
