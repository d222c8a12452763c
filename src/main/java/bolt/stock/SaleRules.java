package bolt.stock;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A product's sale rules; a null field is no such rule. {@code version} is the DB row's
 * rules_version, bumped by every change, so Redis keeps the newest (sync_product.lua).
 */
public record SaleRules(Integer limitPerCustomer, Instant startsAt, Instant endsAt, Integer holdSeconds, long version) {

  public static final SaleRules NONE = new SaleRules(null, null, null, null, 0);

  /** Whether an order placed at {@code now} is inside the sale window. */
  public boolean openAt(Instant now) {
    return (startsAt == null || !now.isBefore(startsAt)) && (endsAt == null || now.isBefore(endsAt));
  }

  void putInto(JsonObject json) {
    json.put("limitPerCustomer", limitPerCustomer)
        .put("saleStartsAt", startsAt == null ? null : startsAt.toString())
        .put("saleEndsAt", endsAt == null ? null : endsAt.toString())
        .put("holdSeconds", holdSeconds);
  }
}
