package bolt.fulfillment;

/** A product's DB stock and row version at one moment. */
public record StockRow(long stock, long version) {
}
