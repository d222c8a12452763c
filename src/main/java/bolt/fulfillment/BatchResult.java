package bolt.fulfillment;

import bolt.order.OrderJob;

import java.util.List;
import java.util.Map;

/** A committed batch: every job's outcome and each product's (stock, version) after the commit. */
record BatchResult(List<OrderJob> jobs, BatchPlan plan, Map<String, StockRow> stockAfter) {

  List<OrderJob> written() {
    return jobs.stream().filter(job -> plan.outcome(job) != BatchPlan.Outcome.UNKNOWN_PRODUCT).toList();
  }

  List<OrderJob> unknownProduct() {
    return jobs.stream().filter(job -> plan.outcome(job) == BatchPlan.Outcome.UNKNOWN_PRODUCT).toList();
  }
}
