package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Products: the DB row is written first, then Redis follows by the same change (docs/design.md: restock). */
public class ProductService {

  private final ProductRepository products;
  private final RestockRepository restocks;
  private final StockLedger ledger;
  private final long timeoutMs;

  public ProductService(ProductRepository products, RestockRepository restocks, StockLedger ledger, long timeoutMs) {
    this.products = products;
    this.restocks = restocks;
    this.ledger = ledger;
    this.timeoutMs = timeoutMs;
  }

  public Future<List<Product>> list() {
    return db(products.all()).compose(rows -> ledger.available(rows.stream().map(Product::id).toList())
        .map(units -> {
          for (int i = 0; i < rows.size(); i++) {
            rows.set(i, rows.get(i).withAvailable(units.get(i)));
          }
          return rows;
        }));
  }

  public Future<Optional<Product>> get(String id) {
    return db(products.find(id)).compose(found -> found.isEmpty()
        ? Future.succeededFuture(found)
        : ledger.available(List.of(id)).map(units -> Optional.of(found.get().withAvailable(units.get(0)))));
  }

  /** Empty when the id is taken. */
  public Future<Optional<Product>> create(String id, String name, int stock) {
    return db(products.create(id, name, stock)).compose(created -> created.isEmpty()
        ? Future.succeededFuture(created)
        : ledger.sync(created.get()).map(ignored -> Optional.of(created.get().withAvailable((long) stock))));
  }

  /**
   * Adds stock, once per request id (a retry with the same id answers with the first result and adds
   * nothing); a null id makes a fresh one. Once the DB has committed, the restock has happened: if
   * Redis then fails, the answer still says so (with {@code available} null) rather than invite a
   * retry, and the periodic sync applies it to Redis ({@link RedisSync}).
   */
  public Future<Restock> restock(String id, int delta, String requestId) {
    String request = requestId == null ? UUID.randomUUID().toString() : requestId;
    return db(restocks.restock(id, delta, request)).compose(outcome -> outcome instanceof Restock.Done done
        ? applyToRedis(done.product(), delta, request)
            .map(units -> (Restock) new Restock.Done(done.product().withAvailable(units), request, done.replayed()))
            .otherwise(redisDown -> done)
        : Future.succeededFuture(outcome));
  }

  /** Runs the restock script (idempotent) and records that Redis has it; the units available after. */
  Future<Long> applyToRedis(Product after, int delta, String requestId) {
    return ledger.restock(after, delta)
        .compose(units -> db(restocks.markApplied(after.id(), requestId)).otherwiseEmpty().map(marked -> units));
  }

  private <T> Future<T> db(Future<T> call) {
    return Unavailable.guard("postgres", timeoutMs, call);
  }
}
