package bolt.stock;

/** What a restock request came to. */
public sealed interface Restock {

  /**
   * The stock was added (or, {@code replayed}, had been added by an earlier request with the same
   * key, whose result {@code product} is); {@code change} is what Redis must apply.
   */
  record Done(Product product, StockChange change, boolean replayed) implements Restock {
    public String requestId() {
      return change.requestId();
    }
  }

  record UnknownProduct() implements Restock {
  }

  /** The stock column holds at most {@code limit}; the product has {@code stock}. Nothing was changed. */
  record OverLimit(long stock, long limit) implements Restock {
  }

  /** The idempotency key was first used for a restock of another quantity. */
  record KeyReused(int firstQuantity) implements Restock {
  }
}
