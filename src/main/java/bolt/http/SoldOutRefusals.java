package bolt.http;

import io.vertx.core.buffer.Buffer;

import java.util.HashMap;
import java.util.Map;

/**
 * The encoded bodies of the refusals the sold-out memory answers (INSUFFICIENT_STOCK, available 0):
 * during a sale nearly every request gets one of very few such bodies, so each is encoded once. One
 * per event loop; at most {@link #MAX_BODIES} kept, the rest encoded each time.
 */
final class SoldOutRefusals {

  static final int MAX_BODIES = 1024;

  private final Map<String, Buffer> bodies = new HashMap<>();

  Buffer refusal(String productId, int quantity) {
    String key = quantity + " " + productId;
    Buffer body = bodies.get(key);
    if (body == null) {
      body = OrderHandler.insufficientStock(productId, quantity, 0).body().toBuffer();
      if (bodies.size() < MAX_BODIES) {
        bodies.put(key, body);
      }
    }
    return body;
  }
}
