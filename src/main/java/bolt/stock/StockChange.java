package bolt.stock;

/**
 * A committed stock change that gives units back (a restock, a cancellation, an expired hold), as
 * Redis must apply it: once per DB version (return_units.lua). {@code customerUnits} go back to the
 * customer's count toward the product's limit.
 */
public record StockChange(String productId, String requestId, int quantity, String customerId, int customerUnits,
                          long stockAfter, long versionAfter) {
}
