package bolt.order;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/** An order as GET /order/{id} shows it, wherever it currently lives (PostgreSQL or Redis). */
public record OrderView(UUID orderId, String productId, int quantity, String customerId, String status,
                        String reason, Instant createdAt, Instant processedAt) {

  public static final String PENDING = "PENDING";
  public static final String CONFIRMED = "CONFIRMED";
  public static final String REJECTED = "REJECTED";

  public static OrderView pending(OrderJob job) {
    return new OrderView(job.orderId(), job.productId(), job.quantity(), job.customerId(), PENDING, null,
        job.createdAt(), null);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("orderId", orderId.toString())
        .put("productId", productId)
        .put("quantity", quantity)
        .put("customerId", customerId)
        .put("status", status)
        .put("reason", reason)
        .put("createdAt", createdAt == null ? null : createdAt.toString())
        .put("processedAt", processedAt == null ? null : processedAt.toString());
  }
}
