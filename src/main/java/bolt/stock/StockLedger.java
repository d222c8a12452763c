package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The Redis side of stock outside the order path: creating keys, giving units back, reading what is left. */
public class StockLedger {

  private static final LuaScript SYNC = LuaScript.load("sync_product");
  private static final LuaScript RETURN_UNITS = LuaScript.load("return_units");

  /** Units available per product id, in order (null for a product Redis does not know), at Redis's clock. */
  public record Availability(List<Long> units, Instant now) {
  }

  private final Redis redis;
  private final Keys keys;
  private final long timeoutMs;

  public StockLedger(Redis redis, Keys keys, long timeoutMs) {
    this.redis = redis;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Creates the product's keys from the DB row, or adopts a newer row when nothing is in flight, and
   * takes newer sale rules; true if anything changed.
   */
  public Future<Boolean> sync(Product product) {
    SaleRules rules = product.rules();
    List<Object> args = List.of(product.stock(), product.version(), rules.version(), text(rules.limitPerCustomer()),
        millis(rules.startsAt()), millis(rules.endsAt()), product.id(), keys.unitsBack());
    return guard(SYNC.run(redis, List.of(keys.product(product.id())), args)).map(reply -> reply.toInteger() != 0);
  }

  /**
   * Applies a committed stock change (at most once, however often it is called); returns the units
   * available afterwards, or null when Redis does not hold the product (the sync rebuilds it).
   */
  public Future<Long> returnUnits(StockChange change) {
    List<String> scriptKeys = List.of(keys.product(change.productId()), keys.appliedChanges(change.productId()),
        keys.customerUnits(change.productId()));
    List<Object> args = List.of(change.quantity(), change.stockAfter(), change.versionAfter(),
        change.customerId() == null ? "" : change.customerId(), change.customerUnits(), change.productId(),
        keys.unitsBack());
    return guard(RETURN_UNITS.run(redis, scriptKeys, args)).map(reply -> reply.toLong() < 0 ? null : reply.toLong());
  }

  public Future<Availability> available(List<String> productIds) {
    List<Request> reads = new ArrayList<>(productIds.size() + 1);
    reads.add(Request.cmd(Command.TIME));
    for (String id : productIds) {
      reads.add(Request.cmd(Command.HGET).arg(keys.product(id)).arg("available"));
    }
    return guard(redis.batch(reads)).map(replies -> {
      Response time = replies.get(0);
      Instant now = Instant.ofEpochSecond(time.get(0).toLong(), time.get(1).toLong() * 1_000);
      List<Long> units = new ArrayList<>(productIds.size());
      for (Response reply : replies.subList(1, replies.size())) {
        units.add(reply == null ? null : reply.toLong());
      }
      return new Availability(units, now);
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
