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

  /** By quantity, then product: no key to build per refusal. */
  private final Map<Integer, Map<String, Buffer>> bodies = new HashMap<>();
  private int kept;

  Buffer refusal(String productId, int quantity) {
    Map<String, Buffer> ofQuantity = bodies.get(quantity);
    Buffer body = ofQuantity == null ? null : ofQuantity.get(productId);
    if (body == null) {
      body = OrderHandler.insufficientStock(productId, quantity, 0).body().toBuffer();
      if (kept < MAX_BODIES) {
        bodies.computeIfAbsent(quantity, q -> new HashMap<>()).put(productId, body);
        kept++;
      }
    }
    return body;
  }
}
