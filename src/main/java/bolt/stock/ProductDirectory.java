package bolt.stock;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one process knows of its products' shards, shared by every verticle of the process: filled
 * by the sync pass (which reads every product) and by products created here, so intake does not ask
 * PostgreSQL for a product it has synced. A miss (a product created by another process since the
 * last pass) is one query however many requests wait for it, and an id PostgreSQL does not know is
 * remembered as unknown for {@link #UNKNOWN_FOR_MS}, so a flood of orders for a made-up id costs one
 * query a second.
 */
public final class ProductDirectory implements Shareable {

  static final long UNKNOWN_FOR_MS = 1_000;
  private static final String MAP = "bolt.product-directory";

  private final Map<String, Integer> known = new ConcurrentHashMap<>();
  /** Id -> System.nanoTime() until which it counts as unknown. */
  private final Map<String, Long> unknownUntil = new ConcurrentHashMap<>();
  private final Map<String, Future<Optional<Integer>>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong queries = new AtomicLong();

  /** The directory of the process (one per Vertx and key prefix). */
  public static ProductDirectory of(Vertx vertx, String keyPrefix) {
    LocalMap<String, ProductDirectory> all = vertx.sharedData().getLocalMap(MAP);
    ProductDirectory fresh = new ProductDirectory();
    ProductDirectory existing = all.putIfAbsent(keyPrefix, fresh);
    return existing == null ? fresh : existing;
  }

  /** PostgreSQL queries made for misses so far. */
  public long queries() {
    return queries.get();
  }

  void remember(String productId, int shard) {
    known.put(productId, shard);
    unknownUntil.remove(productId);
  }

  /** The product's stored shard if known here, else null. */
  Integer known(String productId) {
    return known.get(productId);
  }

  /** True while the id is remembered as not in the database. */
  boolean knownUnknown(String productId) {
    Long until = unknownUntil.get(productId);
    if (until == null) {
      return false;
    }
    if (System.nanoTime() - until < 0) {
      return true;
    }
    unknownUntil.remove(productId, until);
    return false;
  }

  /**
   * The stored shard of a product, read from PostgreSQL by one query that every concurrent caller
   * shares; completes on the caller's context. A failed query is not remembered.
   */
  Future<Optional<Integer>> lookup(String productId, ProductRepository products) {
    Promise<Optional<Integer>> promise = Promise.promise();
    Future<Optional<Integer>> shared = inFlight.putIfAbsent(productId, promise.future());
    if (shared == null && known.containsKey(productId)) {
      // a query finished between the caller's look and this one
      inFlight.remove(productId, promise.future());
      return Future.succeededFuture(Optional.of(known.get(productId)));
    }
    if (shared == null) {
      shared = promise.future();
      queries.incrementAndGet();
      products.shard(productId).onComplete(done -> {
        if (done.succeeded()) {
          if (done.result().isPresent()) {
            remember(productId, done.result().get());
          } else {
            unknownUntil.put(productId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNKNOWN_FOR_MS));
          }
        }
        inFlight.remove(productId, promise.future());
        promise.handle(done);
      });
    }
    return onCallersContext(shared);
  }

  /** The shared query completes on the thread of whichever context ran it: come back to the caller's. */
  private static <T> Future<T> onCallersContext(Future<T> shared) {
    Context context = Vertx.currentContext();
    if (context == null || shared.isComplete()) {
      return shared;
    }
    Promise<T> local = Promise.promise();
    shared.onComplete(done -> context.runOnContext(ignored -> local.handle(done)));
    return local.future();
  }
}
