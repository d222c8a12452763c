package bolt.stock;

import bolt.config.ConfigException;
import bolt.infra.Unavailable;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

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
  /** Products skipped for a shard out of range, each logged once. */
  private final Set<String> skipped = ConcurrentHashMap.newKeySet();

  public RedisSync(ProductRepository products, StockLedger ledger, StockReturns returns, long timeoutMs) {
    this.products = products;
    this.ledger = ledger;
    this.returns = returns;
    this.timeoutMs = timeoutMs;
  }

  /** True when a shard lacks the mark of a finished sync: empty, wiped, or a new instance. */
  public Future<Boolean> redisEmpty() {
    return unmarked().map(shards -> !shards.isEmpty());
  }

  /** One full pass. Safe while other processes serve and sync at the same time. */
  public Future<Pass> run() {
    return unmarked().compose(unmarked -> db(products.all())
        .compose(rows -> Future.all(rows.stream().map(this::sync).toList())
            .map(all -> (int) all.<Boolean>list().stream().filter(Boolean::booleanValue).count())
            .compose(changed -> returns.applyPending().map(applied -> new Pass(changed, applied, !unmarked.isEmpty())))
            .compose(pass -> unmarked.isEmpty() ? Future.succeededFuture(pass)
                : markSynced(unmarked, rows.size()).map(pass))));
  }

  /**
   * One product's sync. A product stored in a shard this process does not have is skipped, logged once
   * per product, so that it does not fail the pass for all the others (start-up refuses such a
   * configuration: {@link #checkShards}; this covers a product that appears later).
   */
  private Future<Boolean> sync(Product product) {
    return ledger.sync(product).recover(failure -> {
      if (!(failure instanceof ProductShards.ShardOutOfRange)) {
        return Future.failedFuture(failure);
      }
      if (skipped.add(product.id())) {
        LOG.error("Sync skips a product: {}", failure.getMessage());
      }
      return Future.succeededFuture(false);
    });
  }

  /**
   * Fails with a {@link ConfigException} (one line naming redis.shards) when PostgreSQL holds a
   * product in a shard at or above redis.shards: that Bolt would look for it in the wrong place.
   */
  public Future<Void> checkShards() {
    int count = ledger.shards().count();
    return db(products.maxShard()).compose(max -> max < count ? Future.<Void>succeededFuture()
        : Future.<Void>failedFuture(new ConfigException("redis.shards", "is " + count + " but PostgreSQL holds "
            + "products in shard " + max + "; it must be at least " + (max + 1)
            + " (shards can be added, never removed)")));
  }

  /** The shards without a sync mark. */
  private Future<List<Integer>> unmarked() {
    int count = ledger.shards().count();
    List<Future<String>> epochs = new ArrayList<>(count);
    for (int shard = 0; shard < count; shard++) {
      epochs.add(ledger.syncEpoch(shard));
    }
    return Future.all(epochs).map(all -> {
      List<Integer> unmarked = new ArrayList<>();
      for (int shard = 0; shard < count; shard++) {
        if (epochs.get(shard).result() == null) {
          unmarked.add(shard);
        }
      }
      return unmarked;
    });
  }

  /**
   * The process whose mark lands reports the rebuild: as the first sync of this database; as shards
   * added since the last sync (redis.shards raised: they never held anything); or, for a shard the
   * database remembers as synced, as a Redis (or some of its shards) that lost its data.
   */
  private Future<Void> markSynced(List<Integer> shards, int productCount) {
    String epoch = UUID.randomUUID().toString();
    List<Future<Boolean>> marks = shards.stream().map(shard -> ledger.markSynced(shard, epoch)).toList();
    return Future.all(marks).compose(all -> marks.stream().noneMatch(Future::result) ? Future.succeededFuture()
        : db(products.swapRedisEpoch(epoch, ledger.shards().count())).map(previous -> {
          report(previous, shards, productCount);
          return null;
        }));
  }

  private static void report(ProductRepository.RedisEpoch previous, List<Integer> shards, int productCount) {
    if (previous.epoch() == null) {
      LOG.info("Redis initialised with {} products from PostgreSQL", productCount);
      return;
    }
    List<Integer> added = shards.stream().filter(shard -> shard >= previous.shards()).toList();
    List<Integer> lost = shards.stream().filter(shard -> shard < previous.shards()).toList();
    if (!added.isEmpty()) {
      LOG.info("Redis shards {} added (redis.shards was {}): synced", added, previous.shards());
    }
    if (!lost.isEmpty()) {
      LOG.error("Redis had lost its data (shards {} no longer held the sync mark of epoch {}): rebuilt {} "
          + "products from PostgreSQL. Orders accepted but not yet written to PostgreSQL when Redis lost its "
          + "data cannot be recovered; they will not appear in the orders table", lost, previous.epoch(),
          productCount);
    }
  }

  private <T> Future<T> db(Future<T> call) {
    return Unavailable.guard("postgres", timeoutMs, call);
  }
}
