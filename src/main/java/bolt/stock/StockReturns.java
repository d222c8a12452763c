package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;

import java.util.List;

/**
 * The second half of a stock change that gives units back: Redis applies it (once per DB version,
 * return_units.lua), then its stock_changes row is marked applied. Until then the change is pending
 * and is applied again by the next pass over the pending ones; applying twice changes nothing.
 */
public class StockReturns {

  private final StockLedger ledger;
  private final StockChangeRepository changes;
  private final long timeoutMs;

  public StockReturns(StockLedger ledger, StockChangeRepository changes, long timeoutMs) {
    this.ledger = ledger;
    this.changes = changes;
    this.timeoutMs = timeoutMs;
  }

  /** The units available after, or null when Redis does not hold the product. */
  public Future<Long> apply(StockChange change) {
    return ledger.returnUnits(change)
        .compose(units -> markApplied(List.of(change)).map(marked -> units));
  }

  /** Applies every change Redis takes, marks those applied, and returns how many were. */
  public Future<Integer> applyAll(List<StockChange> pending) {
    List<Future<StockChange>> applied = pending.stream()
        .map(change -> ledger.returnUnits(change).map(units -> change))
        .toList();
    return Future.join(applied).otherwiseEmpty().compose(done -> {
      List<StockChange> landed = applied.stream().filter(Future::succeeded).map(Future::result).toList();
      return markApplied(landed).map(marked -> landed.size());
    });
  }

  /** Applies the changes still pending (the oldest thousand); returns how many it applied. */
  public Future<Integer> applyPending() {
    return Unavailable.guard("postgres", timeoutMs, changes.pending()).compose(this::applyAll);
  }

  /** A failure here only means one more, harmless, run of the change. */
  private Future<Void> markApplied(List<StockChange> landed) {
    return Unavailable.guard("postgres", timeoutMs, changes.markApplied(landed)).otherwiseEmpty();
  }
}
