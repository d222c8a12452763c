package bolt.stock;

import java.time.Instant;

/**
 * A change of a product's name and sale rules (PATCH /admin/products/{id}). A null field is left as
 * it is; a {@link Change} whose value is null removes the rule.
 */
public record ProductPatch(String name, Change<Integer> limitPerCustomer, Change<Instant> saleStartsAt,
                           Change<Instant> saleEndsAt, Change<Integer> holdSeconds) {

  /** The new value of a rule, null to remove it. */
  public record Change<T>(T value) {
  }
}
