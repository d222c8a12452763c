package bolt.console;

import bolt.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.HashMap;
import java.util.Map;

/**
 * Units sold per product: the CONFIRMED and PAID orders in PostgreSQL. That is a scan of the orders
 * table (the table has no index but its key, on purpose: bench/README.md), so it is read at most
 * every {@link #REFRESH_MS} and only while a console watches; in between the last count is shown.
 */
final class SoldUnits {

  static final long REFRESH_MS = 5_000;
  static final String SOLD =
      "SELECT product_id, sum(quantity) AS units FROM orders WHERE status IN ('CONFIRMED', 'PAID') GROUP BY product_id";

  private final Pool pool;
  private final long timeoutMs;
  private Map<String, Long> last = Map.of();
  private long readAtNanos;
  private boolean read;

  SoldUnits(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /** The counts, read again when the last read is older than {@link #REFRESH_MS}; the last ones when PostgreSQL does not answer. */
  Future<Map<String, Long>> current() {
    if (read && System.nanoTime() - readAtNanos < REFRESH_MS * 1_000_000) {
      return Future.succeededFuture(last);
    }
    return Unavailable.guard("postgres", timeoutMs, pool.query(SOLD).execute()).map(rows -> {
      Map<String, Long> sold = new HashMap<>();
      for (Row row : rows) {
        sold.put(row.getString("product_id"), row.getLong("units"));
      }
      last = sold;
      read = true;
      readAtNanos = System.nanoTime();
      return sold;
    }).otherwise(down -> last);
  }
}
