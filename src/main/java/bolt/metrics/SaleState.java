package bolt.metrics;

import bolt.stock.Product;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * What Redis and PostgreSQL say about a sale at one moment: the backlog, the dead letters, the drift
 * count and every product's units. Read on demand ({@link SaleStateReader}), never on the order path.
 *
 * @param products    every product of the database with the units Redis holds (null where Redis did not
 *                    answer or lacks the product); the last list read when PostgreSQL did not answer
 * @param redisUp     whether the Redis reads answered in time; when not, the Redis numbers are absent
 * @param postgresUp  whether the product list was read in time
 */
public record SaleState(Instant at, boolean redisUp, boolean postgresUp, List<ProductUnits> products, long queued,
                        long processing, int workers, long deadLetters, List<JsonObject> recentDeadLetters,
                        long drift) {

  /** A product and the units Redis holds for it: {@code available} to sell, {@code inflight} reserved and unwritten. */
  public record ProductUnits(Product product, Long available, Long inflight) {
  }

  /** Jobs accepted and not yet acknowledged: queued plus taken by a worker. */
  public long backlog() {
    return queued + processing;
  }
}
