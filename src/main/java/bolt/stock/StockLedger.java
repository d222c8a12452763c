package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/** The Redis side of stock outside the order path: creating keys, restocking, reading what is left. */
public class StockLedger {

  private static final LuaScript SYNC = LuaScript.load("sync_product");
  private static final LuaScript RESTOCK = LuaScript.load("restock");

  private final Redis redis;
  private final Keys keys;
  private final long timeoutMs;

  public StockLedger(Redis redis, Keys keys, long timeoutMs) {
    this.redis = redis;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
  }

  /** Creates the product's keys from the DB row, or adopts a newer row when nothing is in flight; true if changed. */
  public Future<Boolean> sync(Product product) {
    return guard(SYNC.run(redis, productKeys(product.id()), List.of(product.stock(), product.version())))
        .map(reply -> reply.toInteger() != 0);
  }

  /** Applies a committed restock (at most once, however often it is called); returns the units available afterwards. */
  public Future<Long> restock(Product after, int delta) {
    return guard(RESTOCK.run(redis, productKeys(after.id()), List.of(delta, after.stock(), after.version())))
        .map(Response::toLong);
  }

  /** Available units per product id, in order; null for a product Redis does not know. */
  public Future<List<Long>> available(List<String> productIds) {
    if (productIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Request> reads = new ArrayList<>(productIds.size());
    for (String id : productIds) {
      reads.add(Request.cmd(Command.HGET).arg(keys.product(id)).arg("available"));
    }
    return guard(redis.batch(reads)).map(replies -> {
      List<Long> units = new ArrayList<>(replies.size());
      for (Response reply : replies) {
        units.add(reply == null ? null : reply.toLong());
      }
      return units;
    });
  }

  /** The epoch of the sync that gave this Redis every product, or null for an empty or wiped Redis. */
  public Future<String> syncEpoch() {
    return guard(redis.send(Request.cmd(Command.GET).arg(keys.synced()))).map(reply -> reply == null ? null : reply.toString());
  }

  /** Marks this Redis as holding every product; false when another process marked it first. */
  public Future<Boolean> markSynced(String epoch) {
    return guard(redis.send(Request.cmd(Command.SET).arg(keys.synced()).arg(epoch).arg("NX"))).map(reply -> reply != null);
  }

  private List<String> productKeys(String productId) {
    return List.of(keys.product(productId), keys.restocked(productId));
  }

  private <T> Future<T> guard(Future<T> call) {
    return Unavailable.guard("redis", timeoutMs, call);
  }
}
