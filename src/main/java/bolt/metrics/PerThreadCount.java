package bolt.metrics;

import io.netty.util.concurrent.FastThreadLocal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A count each thread keeps apart, summed when read: for a gauge that every request moves twice on
 * every event loop (requests in progress). A LongAdder shared by the loops separates threads only
 * after they collide, and in some runs both loops shared its cell: 3 % of a sold-out refusal's
 * samples (bench/README.md, "Hot product"). Each thread writes only its own cell, so an ordered
 * store is enough; a read may miss an update in flight, as any gauge may.
 */
final class PerThreadCount {

  private final List<AtomicLong> cells = new CopyOnWriteArrayList<>();
  // an event loop is a FastThreadLocalThread, where this is an array read: a ThreadLocal's hash probe
  // met the other thread locals of the loop and cost 1 % of a refusal's samples
  private final FastThreadLocal<AtomicLong> mine = new FastThreadLocal<>() {
    @Override
    protected AtomicLong initialValue() {
      return newCell();
    }
  };

  private AtomicLong newCell() {
    AtomicLong cell = new AtomicLong();
    cells.add(cell);
    return cell;
  }

  void add(long delta) {
    AtomicLong cell = mine.get();
    cell.lazySet(cell.get() + delta);
  }

  double sum() {
    long sum = 0;
    for (AtomicLong cell : cells) {
      sum += cell.get();
    }
    return sum;
  }
}
