package bolt.stock;

import bolt.infra.Unavailable;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;

/** Products: the DB row is written first, then Redis follows by the same change (design.md: restock). */
public class ProductService {

  private final ProductRepository products;
  private final StockLedger ledger;
  private final long timeoutMs;

  public ProductService(ProductRepository products, StockLedger ledger, long timeoutMs) {
    this.products = products;
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
   * Empty when there is no such product. Once the DB has committed, the restock has happened: if Redis
   * then fails, the answer still says so (with {@code available} null) rather than invite a retry that
   * would add the stock twice; {@link #syncToRedis} applies it to Redis when the product is quiescent.
   */
  public Future<Optional<Product>> restock(String id, int delta) {
    return db(products.restock(id, delta)).compose(after -> after.isEmpty()
        ? Future.succeededFuture(after)
        : ledger.restock(after.get(), delta)
            .map(units -> Optional.of(after.get().withAvailable(units)))
            .otherwise(redisDown -> after));
  }

  /**
   * Gives every DB product its Redis keys, and lets quiescent ones adopt a newer DB row (see
   * sync_product.lua). Safe while other instances serve: keys with units in flight are never touched.
   * Returns how many products were created or adopted in Redis.
   */
  public Future<Integer> syncToRedis() {
    return db(products.all()).compose(rows -> Future.all(rows.stream().map(ledger::sync).toList())
        .map(all -> (int) all.<Boolean>list().stream().filter(Boolean::booleanValue).count()));
  }

  private <T> Future<T> db(Future<T> call) {
    return Unavailable.guard("postgres", timeoutMs, call);
  }
}
