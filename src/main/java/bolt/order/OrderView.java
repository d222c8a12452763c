package bolt.order;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * An order as GET /order/{id} shows it, wherever it currently lives (PostgreSQL or Redis).
 * {@code payBy} is set on CONFIRMED orders of a product with a payment hold.
 */
public record OrderView(UUID orderId, String productId, int quantity, String customerId, String status,
                        String reason, Instant createdAt, Instant processedAt, Instant payBy, Instant paidAt,
                        Instant cancelledAt) {

  public static final String PENDING = "PENDING";
  public static final String CONFIRMED = "CONFIRMED";
  public static final String REJECTED = "REJECTED";
  public static final String PAID = "PAID";
  public static final String CANCELLED = "CANCELLED";

  public static OrderView pending(OrderJob job) {
    return new OrderView(job.orderId(), job.productId(), job.quantity(), job.customerId(), PENDING, null,
        job.createdAt(), null, null, null, null);
  }

  public OrderView withStatus(String newStatus, String newReason) {
    return new OrderView(orderId, productId, quantity, customerId, newStatus, newReason, createdAt, processedAt,
        payBy, paidAt, cancelledAt);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("orderId", orderId.toString())
        .put("productId", productId)
        .put("quantity", quantity)
        .put("customerId", customerId)
        .put("status", status)
        .put("reason", reason)
        .put("createdAt", text(createdAt))
        .put("processedAt", text(processedAt))
        .put("payBy", text(payBy))
        .put("paidAt", text(paidAt))
        .put("cancelledAt", text(cancelledAt));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
