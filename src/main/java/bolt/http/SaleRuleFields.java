package bolt.http;

import bolt.stock.ProductPatch;
import bolt.stock.ProductPatch.Change;
import bolt.stock.SaleRules;

import java.time.Instant;

/**
 * The sale-rule fields of POST /admin/products and PATCH /admin/products/{id}: limitPerCustomer,
 * saleStartsAt, saleEndsAt, holdSeconds. Every bad one is named in the 400.
 */
final class SaleRuleFields {

  static final int MAX_HOLD_SECONDS = 7 * 24 * 3600;
  private static final int MAX_LIMIT = 1_000_000_000;

  private SaleRuleFields() {
  }

  /** The rules of a new product (absent fields: no such rule). */
  static SaleRules forCreate(JsonInput input) {
    Integer limit = input.optionalInt("limitPerCustomer", 1, MAX_LIMIT);
    Instant starts = input.optionalInstant("saleStartsAt");
    Instant ends = input.optionalInstant("saleEndsAt");
    Integer hold = input.optionalInt("holdSeconds", 1, MAX_HOLD_SECONDS);
    checkWindow(input, starts, ends);
    return new SaleRules(limit, starts, ends, hold, 0);
  }

  /** A change of name and rules: a field absent stays as it is, a field set to null removes the rule. */
  static ProductPatch forPatch(JsonInput input) {
    if (input.has("stock")) {
      input.problem("stock", "cannot be patched: stock changes through POST /admin/products/{id}/restock, "
          + "cancellations and sales");
    }
    String name = input.has("name") ? input.requiredString("name", 200) : null;
    Change<Integer> limit = input.has("limitPerCustomer")
        ? new Change<>(input.optionalInt("limitPerCustomer", 1, MAX_LIMIT)) : null;
    Change<Instant> starts = input.has("saleStartsAt") ? new Change<>(input.optionalInstant("saleStartsAt")) : null;
    Change<Instant> ends = input.has("saleEndsAt") ? new Change<>(input.optionalInstant("saleEndsAt")) : null;
    Change<Integer> hold = input.has("holdSeconds")
        ? new Change<>(input.optionalInt("holdSeconds", 1, MAX_HOLD_SECONDS)) : null;
    if (starts != null && ends != null) {
      checkWindow(input, starts.value(), ends.value());
    }
    return new ProductPatch(name, limit, starts, ends, hold);
  }

  private static void checkWindow(JsonInput input, Instant starts, Instant ends) {
    if (starts != null && ends != null && !ends.isAfter(starts)) {
      input.problem("saleEndsAt", "must be after saleStartsAt");
    }
  }
}
