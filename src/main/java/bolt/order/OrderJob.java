package bolt.order;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * An accepted order on its way to PostgreSQL: the queue's element. The exact JSON string is the
 * job's identity in Redis lists (LREM matches it byte for byte), so it is built once and kept.
 * {@code limited}: the reserve script counted its units against the customer's limit (it adds the
 * field to the JSON it queues), so every later step that ends the order unsold gives them back.
 */
public record OrderJob(UUID orderId, String productId, int quantity, String customerId, Instant createdAt,
                       boolean limited, String json) {

  public static OrderJob create(UUID orderId, String productId, int quantity, String customerId, Instant createdAt) {
    JsonObject body = new JsonObject()
        .put("orderId", orderId.toString())
        .put("productId", productId)
        .put("quantity", quantity)
        .put("createdAt", createdAt.toEpochMilli());
    if (customerId != null) {
      body.put("customerId", customerId);
    }
    return new OrderJob(orderId, productId, quantity, customerId, createdAt, false, body.encode());
  }

  /** The customer whose limit count this job's units are in, or null. */
  public String countedCustomer() {
    return limited ? customerId : null;
  }

  /** Parses a job read back from Redis; a malformed one is a poison job. */
  public static OrderJob parse(String json) {
    try {
      JsonObject body = new JsonObject(json);
      UUID orderId = UUID.fromString(body.getString("orderId"));
      String productId = body.getString("productId");
      Integer quantity = body.getInteger("quantity");
      Long createdAt = body.getLong("createdAt");
      if (productId == null || quantity == null || quantity < 1 || createdAt == null) {
        throw new IllegalArgumentException("job lacks productId, quantity or createdAt");
      }
      return new OrderJob(orderId, productId, quantity, body.getString("customerId"),
          Instant.ofEpochMilli(createdAt), body.getBoolean("limited", false), json);
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("unparseable job: " + e.getMessage(), e);
    }
  }
}
