package bolt.stock;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A product as the API shows it: DB stock and sale rules beside the units Redis can still sell, and
 * the Redis shard that holds it (not shown: an implementation detail).
 */
public record Product(String id, String name, long stock, long version, SaleRules rules, Long available, int shard) {

  public Product withAvailable(Long units) {
    return new Product(id, name, stock, version, rules, units, shard);
  }

  /** @param now Redis's clock, which decides the sale window; null when it could not be read */
  public JsonObject toJson(Instant now) {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("available", available)
        .put("stock", stock);
    rules.putInto(json);
    return json.put("saleOpen", now == null ? null : rules.openAt(now));
  }
}
