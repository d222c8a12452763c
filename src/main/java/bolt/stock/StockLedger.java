package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Redis side of stock outside the order path: creating keys, giving units back, reading what is left. */
public class StockLedger {

  private static final LuaScript SYNC = LuaScript.load("sync_product");
  private static final LuaScript RETURN_UNITS = LuaScript.load("return_units");

  /** Units available per product id, in order (null for a product Redis does not know), at Redis's clock. */
  public record Availability(List<Long> units, Instant now) {
  }

  private final Redis redis;
  private final ProductShards shards;
  private final long timeoutMs;

  public StockLedger(Redis redis, ProductShards shards, long timeoutMs) {
    this.redis = redis;
    this.shards = shards;
    this.timeoutMs = timeoutMs;
  }

  /** One shard's ledger: for tests that drive one shard. */
  public StockLedger(Redis redis, Keys keys, long timeoutMs) {
    this(redis, new ProductShards(Shards.single(keys), null), timeoutMs);
  }

  public Shards shards() {
    return shards.shards();
  }

  /**
   * Creates the product's keys from the DB row, or adopts a newer row when nothing is in flight, and
   * takes newer sale rules; true if anything changed.
   */
  public Future<Boolean> sync(Product product) {
    SaleRules rules = product.rules();
    List<Object> args = List.of(product.stock(), product.version(), rules.version(), text(rules.limitPerCustomer()),
        millis(rules.startsAt()), millis(rules.endsAt()), product.id(), shards().keys(0).unitsBack());
    return shards.keysOf(product).compose(keys -> guard(SYNC.run(redis, List.of(keys.product(product.id())), args)))
        .map(reply -> reply.toInteger() != 0);
  }

  /**
   * Applies a committed stock change (at most once, however often it is called); returns the units
   * available afterwards, or null when Redis does not hold the product (the sync rebuilds it).
   */
  public Future<Long> returnUnits(StockChange change) {
    Future<Keys> shard = shards.keysOf(change.productId());
    return (shard.isComplete() ? shard : Unavailable.guard("postgres", timeoutMs, shard))
        .compose(keys -> returnUnits(keys, change));
  }

  private Future<Long> returnUnits(Keys keys, StockChange change) {
    List<String> scriptKeys = List.of(keys.product(change.productId()), keys.appliedChanges(change.productId()),
        keys.customerUnits(change.productId()));
    List<Object> args = List.of(change.quantity(), change.stockAfter(), change.versionAfter(),
        change.customerId() == null ? "" : change.customerId(), change.customerUnits(), change.productId(),
        keys.unitsBack());
    return guard(RETURN_UNITS.run(redis, scriptKeys, args)).map(reply -> reply.toLong() < 0 ? null : reply.toLong());
  }

  /** What Redis can still sell of each product, one batch per shard (a batch may not span Redis Cluster's nodes). */
  public Future<Availability> available(List<Product> products) {
    Map<Integer, List<Integer>> byShard = new LinkedHashMap<>();
    for (int i = 0; i < products.size(); i++) {
      Future<Keys> keys = shards.keysOf(products.get(i));
      // a product in a shard this process does not have reads as not in Redis (its units stay null)
      if (keys.succeeded()) {
        byShard.computeIfAbsent(keys.result().shard(), shard -> new ArrayList<>()).add(i);
      }
    }
    if (byShard.isEmpty()) {
      byShard.put(0, List.of());
    }
    Long[] units = new Long[products.size()];
    List<Future<Instant>> clocks = new ArrayList<>();
    byShard.forEach((shard, indexes) -> {
      Keys keys = shards().keys(shard);
      List<Request> reads = new ArrayList<>(indexes.size() + 1);
      reads.add(Request.cmd(Command.TIME));
      indexes.forEach(i -> reads.add(Request.cmd(Command.HGET).arg(keys.product(products.get(i).id())).arg("available")));
      clocks.add(guard(redis.batch(reads)).map(replies -> {
        for (int j = 0; j < indexes.size(); j++) {
          Response reply = replies.get(j + 1);
          units[indexes.get(j)] = reply == null ? null : reply.toLong();
        }
        Response time = replies.get(0);
        return Instant.ofEpochSecond(time.get(0).toLong(), time.get(1).toLong() * 1_000);
      }));
    });
    return Future.all(clocks).map(all -> new Availability(Arrays.asList(units), clocks.get(0).result()));
  }

  /**
   * The epoch of the sync that gave this shard every product, or null for an empty or wiped one (each
   * shard has its mark: a failover to an empty replica wipes the shards of one master only).
   */
  public Future<String> syncEpoch(int shard) {
    Keys keys = shards().keys(shard);
    return guard(redis.send(Request.cmd(Command.GET).arg(keys.synced()))).map(reply -> reply == null ? null : reply.toString());
  }

  /** Marks the shard as holding every product; false when another process marked it first. */
  public Future<Boolean> markSynced(int shard, String epoch) {
    Keys keys = shards().keys(shard);
    return guard(redis.send(Request.cmd(Command.SET).arg(keys.synced()).arg(epoch).arg("NX"))).map(reply -> reply != null);
  }

  private static String text(Integer value) {
    return value == null ? "" : value.toString();
  }

  private static String millis(Instant instant) {
    return instant == null ? "" : String.valueOf(instant.toEpochMilli());
  }

  private <T> Future<T> guard(Future<T> call) {
    return Unavailable.guard("redis", timeoutMs, call);
  }
}
