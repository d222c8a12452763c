package bolt.stock;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The restocks table and the stock change it records, in one transaction: a restock is applied to
 * the DB once per (product, request id), however often it is retried (docs/design.md: restock).
 */
public class RestockRepository {

  /** The largest stock the {@code integer} column holds. */
  public static final long STOCK_LIMIT = Integer.MAX_VALUE;

  /** Claims the request id; no row when the product is unknown or the id was used before. */
  static final String CLAIM =
      "INSERT INTO restocks (product_id, request_id, quantity) SELECT id, $2, $3 FROM products WHERE id = $1 "
          + "ON CONFLICT (product_id, request_id) DO NOTHING RETURNING product_id";
  static final String FIND =
      "SELECT r.quantity, r.stock_after, r.version_after, p.name FROM restocks r "
          + "JOIN products p ON p.id = r.product_id WHERE r.product_id = $1 AND r.request_id = $2";
  /** The guard keeps the sum inside the column instead of failing the statement with an overflow. */
  static final String ADD_STOCK =
      "UPDATE products SET stock = stock + $2, version = version + 1, updated_at = now() "
          + "WHERE id = $1 AND stock <= " + STOCK_LIMIT + " - $2 RETURNING id, name, stock, version";
  static final String STOCK = "SELECT stock FROM products WHERE id = $1";
  static final String RECORD =
      "UPDATE restocks SET stock_after = $3, version_after = $4 WHERE product_id = $1 AND request_id = $2";
  static final String MARK_APPLIED =
      "UPDATE restocks SET applied_at = now() WHERE product_id = $1 AND request_id = $2 AND applied_at IS NULL";
  static final String PENDING =
      "SELECT r.product_id, r.request_id, r.quantity, r.stock_after, r.version_after, p.name FROM restocks r "
          + "JOIN products p ON p.id = r.product_id WHERE r.applied_at IS NULL ORDER BY r.created_at LIMIT 1000";

  /** A committed restock that Redis may not have yet. */
  public record Pending(Product product, String requestId, int quantity) {
  }

  /** Thrown inside the transaction to roll it back with an answer. */
  private static final class Refusal extends RuntimeException {
    private final Restock answer;

    Refusal(Restock answer) {
      super(null, null, false, false);
      this.answer = answer;
    }
  }

  private final Pool pool;

  public RestockRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Restock> restock(String productId, int quantity, String requestId) {
    return pool.<Restock>withTransaction(conn -> conn.preparedQuery(CLAIM).execute(Tuple.of(productId, requestId, quantity))
            .compose(claimed -> claimed.size() == 0
                ? earlier(conn, productId, requestId, quantity)
                : addStock(conn, productId, requestId, quantity)))
        .recover(failure -> failure instanceof Refusal refusal
            ? Future.succeededFuture(refusal.answer) : Future.failedFuture(failure));
  }

  /** Restocks committed in the DB whose Redis step has not been seen to succeed, oldest first. */
  public Future<List<Pending>> pending() {
    return pool.preparedQuery(PENDING).execute().map(rows -> {
      List<Pending> pending = new ArrayList<>(rows.size());
      for (Row row : rows) {
        Product product = new Product(row.getString("product_id"), row.getString("name"),
            row.getInteger("stock_after"), row.getLong("version_after"), null);
        pending.add(new Pending(product, row.getString("request_id"), row.getInteger("quantity")));
      }
      return pending;
    });
  }

  public Future<Void> markApplied(String productId, String requestId) {
    return pool.preparedQuery(MARK_APPLIED).execute(Tuple.of(productId, requestId)).mapEmpty();
  }

  private static Future<Restock> addStock(SqlConnection conn, String productId, String requestId, int quantity) {
    return conn.preparedQuery(ADD_STOCK).execute(Tuple.of(productId, quantity)).compose(rows -> {
      if (rows.size() == 0) {
        return conn.preparedQuery(STOCK).execute(Tuple.of(productId)).compose(stock -> Future.failedFuture(
            new Refusal(new Restock.OverLimit(stock.iterator().next().getInteger("stock"), STOCK_LIMIT))));
      }
      Row row = rows.iterator().next();
      Product after = new Product(row.getString("id"), row.getString("name"), row.getInteger("stock"),
          row.getLong("version"), null);
      return conn.preparedQuery(RECORD).execute(Tuple.of(productId, requestId, after.stock(), after.version()))
          .map(recorded -> new Restock.Done(after, requestId, false));
    });
  }

  /** The id was used before (a retry: the first result again) or the product does not exist. */
  private static Future<Restock> earlier(SqlConnection conn, String productId, String requestId, int quantity) {
    return conn.preparedQuery(FIND).execute(Tuple.of(productId, requestId)).map(rows -> {
      if (rows.size() == 0) {
        return new Restock.UnknownProduct();
      }
      Row row = rows.iterator().next();
      if (row.getInteger("quantity") != quantity) {
        return new Restock.KeyReused(row.getInteger("quantity"));
      }
      Product first = new Product(productId, row.getString("name"), row.getInteger("stock_after"),
          row.getLong("version_after"), null);
      return new Restock.Done(first, requestId, true);
    });
  }
}
