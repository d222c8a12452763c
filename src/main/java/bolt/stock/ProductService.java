package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Products: the DB row is written first, then Redis follows by the same change (docs/design.md). */
public class ProductService {

  /** Products with what Redis can still sell and Redis's clock, which decides the sale windows. */
  public record Listing(List<Product> products, Instant now) {
  }

  private final ProductRepository products;
  private final StockChangeRepository changes;
  private final StockLedger ledger;
  private final StockReturns returns;
  private final long timeoutMs;

  public ProductService(ProductRepository products, StockChangeRepository changes, StockLedger ledger,
                        StockReturns returns, long timeoutMs) {
    this.products = products;
    this.changes = changes;
    this.ledger = ledger;
    this.returns = returns;
    this.timeoutMs = timeoutMs;
  }

  public Future<Listing> list() {
    return db(products.all()).compose(this::withAvailable);
  }

  public Future<Optional<Listing>> get(String id) {
    return db(products.find(id)).compose(found -> found.isEmpty()
        ? Future.succeededFuture(Optional.empty())
        : withAvailable(List.of(found.get())).map(Optional::of));
  }

  /** Empty when the id is taken. */
  public Future<Optional<Product>> create(String id, String name, int stock, SaleRules rules) {
    return db(products.create(id, name, stock, rules, ledger.shards().choose(id))).compose(created -> created.isEmpty()
        ? Future.succeededFuture(created)
        : ledger.sync(created.get()).map(ignored -> Optional.of(created.get().withAvailable((long) stock))));
  }

  /** Changes name and sale rules in the DB, then in Redis, where the next reservation sees them. */
  public Future<Patched> patch(String id, ProductPatch patch) {
    return db(products.patch(id, patch)).compose(patched -> patched instanceof Patched.Done done
        ? ledger.sync(done.product()).map(synced -> patched)
        : Future.succeededFuture(patched));
  }

  /**
   * Adds stock, once per request id (a retry with the same id answers with the first result and adds
   * nothing); a null id makes a fresh one. Once the DB has committed, the restock has happened: if
   * Redis then fails, the answer still says so (with {@code available} null) rather than invite a
   * retry, and the pending change is applied to Redis by the next pass ({@link RedisSync}).
   */
  public Future<Restock> restock(String id, int delta, String requestId) {
    String request = requestId == null ? UUID.randomUUID().toString() : requestId;
    return db(changes.restock(id, delta, request)).compose(outcome -> outcome instanceof Restock.Done done
        ? returns.apply(done.change())
            .map(units -> (Restock) new Restock.Done(done.product().withAvailable(units), done.change(), done.replayed()))
            .otherwise(redisDown -> done)
        : Future.succeededFuture(outcome));
  }

  private Future<Listing> withAvailable(List<Product> rows) {
    return ledger.available(rows).map(availability -> {
      List<Product> listed = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        listed.add(rows.get(i).withAvailable(availability.units().get(i)));
      }
      return new Listing(listed, availability.now());
    });
  }

  private <T> Future<T> db(Future<T> call) {
    return Unavailable.guard("postgres", timeoutMs, call);
  }
}
