package bolt.fulfillment;

import bolt.fulfillment.BatchPlan.Outcome;
import bolt.fulfillment.BatchPlan.Settlement;
import bolt.order.OrderIds;
import bolt.order.OrderJob;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-batch decision made once the orders are inserted and the product rows locked (pure logic, no backends). */
class BatchPlanTest {

  private static OrderJob job(String product, int quantity) {
    return OrderJob.create(OrderIds.next(), product, quantity, null, Instant.now());
  }

  private static Set<UUID> ids(List<OrderJob> jobs) {
    return jobs.stream().map(OrderJob::orderId).collect(Collectors.toSet());
  }

  /** What the transaction found, for products without a limit and a batch without redeliveries. */
  private static BatchPlan.Found found(Map<String, StockRow> locked, Set<UUID> inserted) {
    return new BatchPlan.Found(locked, Map.of(), inserted, Map.of(), Map.of());
  }

  @Test
  void allocatesStockInQueueOrderAndRejectsWhatNoLongerFits() {
    OrderJob first = job("p", 2);
    OrderJob second = job("p", 2);
    OrderJob tooBig = job("p", 2);
    OrderJob stillFits = job("p", 1);
    List<OrderJob> jobs = List.of(first, second, tooBig, stillFits);

    BatchPlan plan = BatchPlan.of(jobs, found(Map.of("p", new StockRow(5, 3)), ids(jobs)));

    assertThat(plan.outcome(first)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.outcome(second)).isEqualTo(Outcome.CONFIRMED);
    // 1 unit left: the 2-unit order is refused, the 1-unit order after it still gets the last unit
    assertThat(plan.outcome(tooBig)).isEqualTo(Outcome.REJECTED);
    assertThat(plan.outcome(stillFits)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.rejected()).containsExactly(Map.entry(tooBig.orderId(), BatchPlan.INSUFFICIENT_STOCK));
    assertThat(plan.decrements()).isEqualTo(Map.of("p", 5));
  }

  @Test
  void productsAreAllocatedIndependently() {
    OrderJob a = job("a", 3);
    OrderJob b = job("b", 3);
    OrderJob a2 = job("a", 1);
    List<OrderJob> jobs = List.of(a, b, a2);

    BatchPlan plan = BatchPlan.of(jobs, found(Map.of("a", new StockRow(3, 0), "b", new StockRow(2, 0)), ids(jobs)));

    assertThat(plan.outcome(a)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.outcome(b)).isEqualTo(Outcome.REJECTED);
    assertThat(plan.outcome(a2)).isEqualTo(Outcome.REJECTED);
    assertThat(plan.decrements()).isEqualTo(Map.of("a", 3));
  }

  @Test
  void anOrderTheInsertSkippedIsADuplicateThatTakesNoStock() {
    OrderJob redelivered = job("p", 4);
    OrderJob fresh = job("p", 4);
    List<OrderJob> jobs = List.of(redelivered, fresh);

    // the redelivered order was written (and its stock taken) by an earlier batch: ON CONFLICT skipped it
    BatchPlan plan = BatchPlan.of(jobs, found(Map.of("p", new StockRow(4, 1)), Set.of(fresh.orderId())));

    assertThat(plan.outcome(redelivered)).isEqualTo(Outcome.DUPLICATE);
    assertThat(plan.outcome(fresh)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.rejected()).isEmpty();
    assertThat(plan.decrements()).isEqualTo(Map.of("p", 4));
  }

  @Test
  void aProductMissingFromTheDatabaseMakesAPoisonJob() {
    OrderJob ghost = job("ghost", 1);
    OrderJob real = job("p", 1);
    List<OrderJob> jobs = List.of(ghost, real);

    // the insert's EXISTS filter skipped the ghost's order: it is not in the DB
    BatchPlan plan = BatchPlan.of(jobs, found(Map.of("p", new StockRow(1, 0)), Set.of(real.orderId())));

    assertThat(plan.outcome(ghost)).isEqualTo(Outcome.UNKNOWN_PRODUCT);
    assertThat(plan.outcome(real)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.decrements()).isEqualTo(Map.of("p", 1));
  }

  @Test
  void aRedeliveryDoesNotUseUpStockThatANewOrderAfterItNeeds() {
    OrderJob redelivered = job("p", 3);
    OrderJob fresh = job("p", 3);
    List<OrderJob> jobs = List.of(redelivered, fresh);

    BatchPlan plan = BatchPlan.of(jobs, found(Map.of("p", new StockRow(3, 0)), Set.of(fresh.orderId())));

    assertThat(plan.outcome(fresh)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.decrements()).isEqualTo(Map.of("p", 3));
  }

  @Test
  void nothingInsertedMeansNothingDecremented() {
    OrderJob one = job("p", 1);
    BatchPlan plan = BatchPlan.of(List.of(one), found(Map.of("p", new StockRow(10, 0)), Set.of()));
    assertThat(plan.outcome(one)).isEqualTo(Outcome.DUPLICATE);
    assertThat(plan.decrements()).isEmpty();
  }

  @Test
  void lockedRowsAreReportedAsTheyWereBeforeTheBatch() {
    Map<String, StockRow> locked = Map.of("p", new StockRow(7, 2));
    OrderJob one = job("p", 3);
    BatchPlan plan = BatchPlan.of(List.of(one), found(locked, Set.of(one.orderId())));
    assertThat(plan.locked()).isEqualTo(locked);
  }

  /** A job the reserve script counted against its customer's limit, as it reads back from the queue. */
  private static OrderJob limitedJob(String product, int quantity, String customer) {
    OrderJob job = OrderJob.create(OrderIds.next(), product, quantity, customer, Instant.now());
    return OrderJob.parse(job.json().substring(0, job.json().length() - 1) + ",\"limited\":true}");
  }

  @Test
  void aCustomerPastTheLimitInTheDatabaseIsRefusedAndTheUnitsStayForOthers() {
    OrderJob second = limitedJob("p", 1, "alice");
    OrderJob third = limitedJob("p", 1, "alice");
    OrderJob bobs = limitedJob("p", 2, "bob");
    List<OrderJob> jobs = List.of(second, third, bobs);
    // alice has one unit counted already (a Redis that lost its counts let her order twice more)
    BatchPlan.Found found = new BatchPlan.Found(Map.of("p", new StockRow(10, 0)), Map.of("p", 2), ids(jobs),
        Map.of(), Map.of(new BatchPlan.Counted("p", "alice"), 1));

    BatchPlan plan = BatchPlan.of(jobs, found);

    assertThat(plan.outcome(second)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.outcome(third)).isEqualTo(Outcome.REJECTED);
    assertThat(plan.rejected()).containsExactly(Map.entry(third.orderId(), BatchPlan.LIMIT_EXCEEDED));
    assertThat(plan.settlement(third)).as("its units go back to available").isEqualTo(Settlement.REFUSED_FOR_LIMIT);
    assertThat(plan.outcome(bobs)).isEqualTo(Outcome.CONFIRMED);
    assertThat(plan.decrements()).isEqualTo(Map.of("p", 3));
    assertThat(plan.countedUnits()).isEqualTo(Map.of(new BatchPlan.Counted("p", "alice"), 1,
        new BatchPlan.Counted("p", "bob"), 2));
  }

  @Test
  void anOrderRefusedForStockIsSettledAsNeverHavingHadTheUnits() {
    OrderJob big = limitedJob("p", 3, "carol");
    BatchPlan plan = BatchPlan.of(List.of(big), new BatchPlan.Found(Map.of("p", new StockRow(2, 0)), Map.of("p", 5),
        ids(List.of(big)), Map.of(), Map.of()));

    assertThat(plan.rejected()).containsExactly(Map.entry(big.orderId(), BatchPlan.INSUFFICIENT_STOCK));
    assertThat(plan.settlement(big)).isEqualTo(Settlement.REFUSED_FOR_STOCK);
    assertThat(plan.countedUnits()).as("a refused order counts nothing").isEmpty();
  }

  @Test
  void aRedeliveredOrderIsSettledAsItWasWrittenTheFirstTime() {
    OrderJob refusedBefore = limitedJob("p", 1, "dave");
    OrderJob soldBefore = job("p", 1);
    List<OrderJob> jobs = List.of(refusedBefore, soldBefore);

    BatchPlan plan = BatchPlan.of(jobs, new BatchPlan.Found(Map.of("p", new StockRow(5, 0)), Map.of(), Set.of(),
        Map.of(refusedBefore.orderId(), Settlement.REFUSED_FOR_LIMIT, soldBefore.orderId(), Settlement.SOLD), Map.of()));

    assertThat(plan.outcome(refusedBefore)).isEqualTo(Outcome.DUPLICATE);
    assertThat(plan.settlement(refusedBefore)).isEqualTo(Settlement.REFUSED_FOR_LIMIT);
    assertThat(plan.settlement(soldBefore)).isEqualTo(Settlement.SOLD);
    assertThat(plan.decrements()).isEmpty();
  }
}
