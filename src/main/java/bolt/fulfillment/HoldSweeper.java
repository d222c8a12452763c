package bolt.fulfillment;

import bolt.infra.Unavailable;
import bolt.order.OrderStatusRepository;
import bolt.stock.StockReturns;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels the CONFIRMED orders whose payment hold ran out and gives their units back to the sale
 * (docs/design.md: payment holds). Every worker runs one: sweeps skip each other's rows (SKIP
 * LOCKED), so each order expires once, in one transaction with its stock and its stock_changes row;
 * the Redis step follows, and a sweeper that dies between the two leaves the change pending for the
 * next pass over pending changes, which this sweeper also makes.
 */
class HoldSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(HoldSweeper.class);
  /** Units go back within about this much of their deadline, plus one transaction. */
  static final long INTERVAL_MS = 500;
  private static final int BATCH = 256;
  /** Pending changes (another process's, left by a crash) are applied every this many sweeps. */
  private static final int SWEEPS_PER_PENDING_PASS = 2;

  private final Vertx vertx;
  private final OrderStatusRepository statuses;
  private final StockReturns returns;
  private final long timeoutMs;
  private final Runnable afterCommit;
  private long timer = -1;
  private long sweeps;
  private Future<?> running = Future.succeededFuture();

  /** @param afterCommit runs between an expiry's commit and its Redis step (fault injection; a no-op normally) */
  HoldSweeper(Vertx vertx, OrderStatusRepository statuses, StockReturns returns, long timeoutMs, Runnable afterCommit) {
    this.vertx = vertx;
    this.statuses = statuses;
    this.returns = returns;
    this.timeoutMs = timeoutMs;
    this.afterCommit = afterCommit;
  }

  void start() {
    timer = vertx.setPeriodic(INTERVAL_MS, id -> {
      if (running.isComplete()) {
        running = sweep().compose(expired -> ++sweeps % SWEEPS_PER_PENDING_PASS == 0
            ? returns.applyPending().mapEmpty() : Future.succeededFuture());
      }
    });
  }

  /** Stops sweeping; completes once the sweep under way is done. */
  Future<Void> stop() {
    vertx.cancelTimer(timer);
    Promise<Void> stopped = Promise.promise();
    running.onComplete(done -> stopped.complete());
    return stopped.future();
  }

  /** Expires due holds a batch at a time until none is left; returns how many it expired. */
  private Future<Integer> sweep() {
    return Unavailable.guard("postgres", timeoutMs, statuses.expireDue(BATCH)).compose(expired -> {
      if (expired.orders().isEmpty()) {
        return Future.succeededFuture(0);
      }
      afterCommit.run();
      LOG.debug("Expired {} unpaid orders", expired.orders().size());
      return returns.applyAll(expired.changes()).otherwiseEmpty().compose(applied -> expired.orders().size() == BATCH
          ? sweep().map(more -> BATCH + more) : Future.succeededFuture(expired.orders().size()));
    }).otherwise(0);
  }
}
