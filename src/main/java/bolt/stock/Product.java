package bolt.stock;

import io.vertx.core.json.JsonObject;

/** A product as the API shows it: DB stock beside the units Redis can still sell. */
public record Product(String id, String name, long stock, long version, Long available) {

  public Product withAvailable(Long units) {
    return new Product(id, name, stock, version, units);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("available", available)
        .put("stock", stock);
  }
}
