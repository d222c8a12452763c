package bolt.stock;

import io.vertx.core.Future;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which shard holds a product, for the code that has only its id (intake, giving units back). With
 * one shard the answer is always shard 0 and nothing is read. Otherwise the DB row says (the shard
 * is stored at creation and never changes, so a cached answer never goes stale); products are few,
 * so every one this process met is remembered. An id the DB does not know goes to the shard it would
 * be created in, where the scripts answer for a product that does not exist.
 */
public final class ProductShards {

  private final Shards shards;
  private final ProductRepository products;
  private final Map<String, Integer> known = new ConcurrentHashMap<>();

  /** @param products read on a miss; may be null with one shard */
  public ProductShards(Shards shards, ProductRepository products) {
    this.shards = shards;
    this.products = products;
  }

  public Shards shards() {
    return shards;
  }

  /** The keys of the shard that holds the product. */
  public Future<Keys> keysOf(String productId) {
    if (shards.count() == 1) {
      return Future.succeededFuture(shards.keys(0));
    }
    Integer shard = known.get(productId);
    if (shard != null) {
      return Future.succeededFuture(shards.keys(shard));
    }
    return products.shard(productId).compose(stored -> {
      if (stored.isEmpty()) {
        return Future.succeededFuture(shards.keys(shards.choose(productId)));
      }
      known.put(productId, stored.get());
      return keysOf(stored.get(), productId);
    });
  }

  /** The keys of a product read from the DB (its row carries its shard); remembers it. */
  public Keys keysOf(Product product) {
    if (shards.count() > 1) {
      known.put(product.id(), product.shard());
    }
    return keysOf(product.shard(), product.id()).result();
  }

  private Future<Keys> keysOf(int shard, String productId) {
    if (shard >= shards.count()) {
      // redis.shards was lowered below a shard that holds products: refuse rather than look in the wrong place
      throw new IllegalStateException("product " + productId + " is in shard " + shard + " but redis.shards is "
          + shards.count() + "; shards can be added, never removed");
    }
    return Future.succeededFuture(shards.keys(shard));
  }
}
