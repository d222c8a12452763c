package bolt.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The units left per product over the last {@link #SAMPLES} snapshots (five minutes at one a
 * second), for the charts of a console that opens now; the snapshots that follow extend them. It
 * covers the time some console was watching: nothing is read while none is.
 */
final class UnitsHistory {

  static final int SAMPLES = 300;

  /** One snapshot's {at, units: {productId: available}}. */
  private final Deque<JsonObject> samples = new ArrayDeque<>();

  void add(JsonObject snapshot) {
    JsonObject units = new JsonObject();
    snapshot.getJsonArray("products").forEach(item -> {
      JsonObject product = (JsonObject) item;
      units.put(product.getString("id"), product.getValue("available"));
    });
    samples.addLast(new JsonObject().put("at", snapshot.getString("at")).put("units", units));
    while (samples.size() > SAMPLES) {
      samples.removeFirst();
    }
  }

  JsonObject toJson() {
    return new JsonObject().put("samples", new JsonArray(samples.stream().map(JsonObject::copy).toList()));
  }
}
