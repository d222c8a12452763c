package bolt.stock;

/** What a change of a product's name and sale rules came to. */
public sealed interface Patched {

  record Done(Product product) implements Patched {
  }

  record UnknownProduct() implements Patched {
  }

  /** The sale would end before it starts, once the patch is merged with the rules in place. Nothing changed. */
  record EndsBeforeStart() implements Patched {
  }
}
