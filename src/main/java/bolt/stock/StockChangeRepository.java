package bolt.stock;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The stock_changes table: the audit trail and outbox of every stock change that gives units back
 * (docs/design.md: giving units back), and the restock transaction, applied to the DB once per
 * (product, request id) however often it is retried.
 */
public class StockChangeRepository {

  /** The largest stock the {@code integer} column holds. */
  public static final long STOCK_LIMIT = Integer.MAX_VALUE;

  /** Claims the request id; no row when the product is unknown or the id was used before. */
  static final String CLAIM_RESTOCK =
      "INSERT INTO stock_changes (product_id, request_id, kind, quantity) SELECT id, $2, 'RESTOCK', $3 FROM products "
          + "WHERE id = $1 ON CONFLICT (product_id, request_id) DO NOTHING RETURNING product_id";
  static final String FIND_RESTOCK =
      "SELECT c.quantity, c.stock_after, c.version_after, p.* FROM stock_changes c "
          + "JOIN products p ON p.id = c.product_id WHERE c.product_id = $1 AND c.request_id = $2";
  /** The guard keeps the sum inside the column instead of failing the statement with an overflow. */
  static final String ADD_STOCK =
      "UPDATE products SET stock = stock + $2, version = version + 1, updated_at = now() "
          + "WHERE id = $1 AND stock <= " + STOCK_LIMIT + " - $2 RETURNING " + ProductRepository.COLUMNS;
  static final String STOCK = "SELECT stock FROM products WHERE id = $1";
  static final String RECORD_RESTOCK =
      "UPDATE stock_changes SET stock_after = $3, version_after = $4 WHERE product_id = $1 AND request_id = $2";
  static final String MARK_APPLIED =
      "UPDATE stock_changes c SET applied_at = now() FROM unnest($1::text[], $2::text[]) AS a(product_id, request_id) "
          + "WHERE c.product_id = a.product_id AND c.request_id = a.request_id AND c.applied_at IS NULL";
  static final String PENDING =
      "SELECT product_id, request_id, quantity, customer_id, customer_units, stock_after, version_after "
          + "FROM stock_changes WHERE applied_at IS NULL ORDER BY created_at LIMIT 1000";

  /** Thrown inside the transaction to roll it back with an answer. */
  private static final class Refusal extends RuntimeException {
    private final Restock answer;

    Refusal(Restock answer) {
      super(null, null, false, false);
      this.answer = answer;
    }
  }

  private final Pool pool;

  public StockChangeRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Restock> restock(String productId, int quantity, String requestId) {
    return pool.<Restock>withTransaction(conn -> conn.preparedQuery(CLAIM_RESTOCK)
            .execute(Tuple.of(productId, requestId, quantity))
            .compose(claimed -> claimed.size() == 0
                ? earlierRestock(conn, productId, requestId, quantity)
                : addStock(conn, productId, requestId, quantity)))
        .recover(failure -> failure instanceof Refusal refusal
            ? Future.succeededFuture(refusal.answer) : Future.failedFuture(failure));
  }

  /** Changes committed in the DB whose Redis step has not been seen to succeed, oldest first. */
  public Future<List<StockChange>> pending() {
    return pool.preparedQuery(PENDING).execute().map(rows -> {
      List<StockChange> pending = new ArrayList<>(rows.size());
      for (Row row : rows) {
        pending.add(new StockChange(row.getString("product_id"), row.getString("request_id"),
            row.getInteger("quantity"), row.getString("customer_id"), row.getInteger("customer_units"),
            row.getInteger("stock_after"), row.getLong("version_after")));
      }
      return pending;
    });
  }

  public Future<Void> markApplied(List<StockChange> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] products = changes.stream().map(StockChange::productId).toArray(String[]::new);
    String[] requests = changes.stream().map(StockChange::requestId).toArray(String[]::new);
    return pool.preparedQuery(MARK_APPLIED).execute(Tuple.tuple().addArrayOfString(products).addArrayOfString(requests))
        .mapEmpty();
  }

  private static Future<Restock> addStock(SqlConnection conn, String productId, String requestId, int quantity) {
    return conn.preparedQuery(ADD_STOCK).execute(Tuple.of(productId, quantity)).compose(rows -> {
      if (rows.size() == 0) {
        return conn.preparedQuery(STOCK).execute(Tuple.of(productId)).compose(stock -> Future.failedFuture(
            new Refusal(new Restock.OverLimit(stock.iterator().next().getInteger("stock"), STOCK_LIMIT))));
      }
      Product after = ProductRepository.toProduct(rows.iterator().next());
      return conn.preparedQuery(RECORD_RESTOCK).execute(Tuple.of(productId, requestId, after.stock(), after.version()))
          .map(recorded -> new Restock.Done(after, change(after, requestId, quantity), false));
    });
  }

  /** The id was used before (a retry: the first result again) or the product does not exist. */
  private static Future<Restock> earlierRestock(SqlConnection conn, String productId, String requestId, int quantity) {
    return conn.preparedQuery(FIND_RESTOCK).execute(Tuple.of(productId, requestId)).map(rows -> {
      if (rows.size() == 0) {
        return new Restock.UnknownProduct();
      }
      Row row = rows.iterator().next();
      if (row.getInteger("quantity") != quantity) {
        return new Restock.KeyReused(row.getInteger("quantity"));
      }
      Product now = ProductRepository.toProduct(row);
      Product first = new Product(productId, now.name(), row.getInteger("stock_after"), row.getLong("version_after"),
          now.rules(), null, now.shard());
      return new Restock.Done(first, change(first, requestId, quantity), true);
    });
  }

  private static StockChange change(Product after, String requestId, int quantity) {
    return new StockChange(after.id(), requestId, quantity, null, 0, after.stock(), after.version());
  }
}
