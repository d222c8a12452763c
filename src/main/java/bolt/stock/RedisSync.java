package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Keeps Redis in step with PostgreSQL, the truth (docs/design.md: sync): gives every product its
 * Redis keys and sale rules (never overwriting stock with units in flight), applies the stock
 * changes whose Redis step did not land, and marks the Redis as synced. A Redis without that mark is empty or has lost its data:
 * a missing product there proves nothing, and the API answers 503 until this has run.
 */
public class RedisSync {

  /** Local event-bus address: a process that found Redis empty asks for a sync now. */
  public static final String RESYNC_ADDRESS = "bolt.redis.resync";

  private static final Logger LOG = LoggerFactory.getLogger(RedisSync.class);

  /** What one pass did. */
  public record Pass(int productsChanged, int changesApplied, boolean redisWasEmpty) {
  }

  private final ProductRepository products;
  private final StockLedger ledger;
  private final StockReturns returns;
  private final long timeoutMs;

  public RedisSync(ProductRepository products, StockLedger ledger, StockReturns returns, long timeoutMs) {
    this.products = products;
    this.ledger = ledger;
    this.returns = returns;
    this.timeoutMs = timeoutMs;
  }

  /** True when Redis lacks the mark of a finished sync: empty, wiped, or a new instance. */
  public Future<Boolean> redisEmpty() {
    return ledger.syncEpoch().map(epoch -> epoch == null);
  }

  /** One full pass. Safe while other processes serve and sync at the same time. */
  public Future<Pass> run() {
    return ledger.syncEpoch().compose(epoch -> db(products.all())
        .compose(rows -> Future.all(rows.stream().map(ledger::sync).toList())
            .map(all -> (int) all.<Boolean>list().stream().filter(Boolean::booleanValue).count())
            .compose(changed -> returns.applyPending().map(applied -> new Pass(changed, applied, epoch == null)))
            .compose(pass -> epoch == null ? markSynced(rows.size()).map(pass) : Future.succeededFuture(pass))));
  }

  /**
   * The process whose mark lands reports the rebuild: as the first sync of this database, or, when
   * the database remembers an earlier synced Redis, as a Redis that lost its data.
   */
  private Future<Void> markSynced(int productCount) {
    String epoch = UUID.randomUUID().toString();
    return ledger.markSynced(epoch).compose(marked -> !marked ? Future.succeededFuture()
        : db(products.swapRedisEpoch(epoch)).map(previous -> {
          if (previous == null) {
            LOG.info("Redis initialised with {} products from PostgreSQL", productCount);
          } else {
            LOG.error("Redis had lost its data (it no longer held the sync mark of epoch {}): rebuilt {} products "
                + "from PostgreSQL. Orders accepted but not yet written to PostgreSQL when Redis lost its data "
                + "cannot be recovered; they will not appear in the orders table", previous, productCount);
          }
          return null;
        }));
  }

  private <T> Future<T> db(Future<T> call) {
    return Unavailable.guard("postgres", timeoutMs, call);
  }
}
