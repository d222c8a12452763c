package bolt.stock;

import io.vertx.core.Future;

/**
 * Which shard holds a product, for the code that has only its id (intake, giving units back). With
 * one shard the answer is always shard 0 and nothing is read. Otherwise the DB row says (the shard
 * is stored at creation and never changes, so a remembered answer never goes stale): the process's
 * {@link ProductDirectory} holds every product the sync pass or this process met, and a miss is one
 * shared query. An id the DB does not know goes to the shard it would be created in, where the
 * scripts answer for a product that does not exist.
 */
public final class ProductShards {

  /** A product stored in a shard this process does not have (redis.shards was lowered). */
  public static final class ShardOutOfRange extends RuntimeException {
    ShardOutOfRange(String productId, int shard, int count) {
      super("product " + productId + " is in shard " + shard + " but redis.shards is " + count
          + "; shards can be added, never removed", null, false, false);
    }
  }

  private final Shards shards;
  private final ProductRepository products;
  private final ProductDirectory directory;

  /** A directory of its own: for code and tests that drive one instance. */
  public ProductShards(Shards shards, ProductRepository products) {
    this(shards, products, new ProductDirectory());
  }

  /** @param products read on a miss; may be null with one shard */
  public ProductShards(Shards shards, ProductRepository products, ProductDirectory directory) {
    this.shards = shards;
    this.products = products;
    this.directory = directory;
  }

  public Shards shards() {
    return shards;
  }

  /** The keys of the shard that holds the product; fails with {@link ShardOutOfRange}, never throws. */
  public Future<Keys> keysOf(String productId) {
    if (shards.count() == 1) {
      return Future.succeededFuture(shards.keys(0));
    }
    Integer shard = directory.known(productId);
    if (shard != null) {
      return keysOf(shard, productId);
    }
    if (directory.knownUnknown(productId)) {
      return Future.succeededFuture(shards.keys(shards.choose(productId)));
    }
    return directory.lookup(productId, products).compose(stored -> stored.isEmpty()
        ? Future.succeededFuture(shards.keys(shards.choose(productId))) : keysOf(stored.get(), productId));
  }

  /**
   * The keys of a product read from the DB (its row carries its shard), and remembers it; fails
   * (already completed) with {@link ShardOutOfRange}.
   */
  public Future<Keys> keysOf(Product product) {
    if (shards.count() > 1) {
      directory.remember(product.id(), product.shard());
    }
    return keysOf(product.shard(), product.id());
  }

  private Future<Keys> keysOf(int shard, String productId) {
    if (shard >= shards.count()) {
      // redis.shards was lowered below a shard that holds products: refuse rather than look in the wrong place
      return Future.failedFuture(new ShardOutOfRange(productId, shard, shards.count()));
    }
    return Future.succeededFuture(shards.keys(shard));
  }
}
