package bolt.fulfillment;

import bolt.order.OrderJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Writes one batch of jobs to PostgreSQL in one transaction (design.md: write).
 *
 * <p>The orders are inserted first, then the product rows are locked, then stock is decided and
 * taken: the locks, which serialise every worker touching the same products, are held only for the
 * decision, the decrement and the commit. Inserting first is safe because the orders' foreign key
 * takes KEY SHARE locks, which FOR NO KEY UPDATE does not block.
 */
class OrderWriter {

  /**
   * Inserts every job whose product exists, as CONFIRMED; RETURNING says which were new. An order
   * already written (a redelivery) is skipped; one of an unknown product is left for the dead letters.
   */
  static final String INSERT_ORDERS =
      "INSERT INTO orders (id, product_id, quantity, customer_id, status, created_at) "
          + "SELECT u.id, u.product_id, u.quantity, u.customer_id, 'CONFIRMED', u.created_at "
          + "FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[]) "
          + "AS u(id, product_id, quantity, customer_id, created_at) "
          + "WHERE EXISTS (SELECT 1 FROM products p WHERE p.id = u.product_id) "
          + "ON CONFLICT (id) DO NOTHING RETURNING id";
  /** In id order, so two workers can never deadlock on each other's products. */
  static final String LOCK_PRODUCTS =
      "SELECT id, stock, version FROM products WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE";
  /** Rare: only when the DB holds fewer units than Redis reserved (after a manual stock change). */
  static final String REJECT_ORDERS =
      "UPDATE orders o SET status = 'REJECTED', reason = $2 FROM unnest($1::uuid[]) AS r(id) WHERE o.id = r.id";
  /** The guard is the last line; the plan never takes more than the locked stock. */
  static final String DECREMENT_STOCK =
      "UPDATE products p SET stock = p.stock - d.units, version = p.version + 1, updated_at = now() "
          + "FROM unnest($1::text[], $2::int[]) AS d(id, units) "
          + "WHERE p.id = d.id AND p.stock >= d.units RETURNING p.id, p.stock, p.version";

  private final Pool pool;
  private final Runnable afterLock;

  OrderWriter(Pool pool) {
    this(pool, () -> { });
  }

  /** @param afterLock runs while the batch holds its product row locks (fault injection; a no-op normally) */
  OrderWriter(Pool pool, Runnable afterLock) {
    this.pool = pool;
    this.afterLock = afterLock;
  }

  Future<BatchResult> write(List<OrderJob> jobs) {
    return pool.withTransaction(conn -> insert(conn, jobs)
        .compose(inserted -> lockProducts(conn, jobs).map(locked -> {
          afterLock.run();
          return BatchPlan.of(jobs, locked, inserted);
        }))
        .compose(plan -> reject(conn, plan.rejected())
            .compose(ignored -> decrement(conn, plan.decrements()))
            .map(decremented -> {
              Map<String, StockRow> after = new HashMap<>(plan.locked());
              after.putAll(decremented);
              return new BatchResult(jobs, plan, after);
            })));
  }

  private static Future<Map<String, StockRow>> lockProducts(SqlConnection conn, List<OrderJob> jobs) {
    String[] ids = new TreeSet<>(jobs.stream().map(OrderJob::productId).toList()).toArray(String[]::new);
    return conn.preparedQuery(LOCK_PRODUCTS).execute(Tuple.tuple().addArrayOfString(ids)).map(rows -> {
      Map<String, StockRow> locked = new HashMap<>();
      for (Row row : rows) {
        locked.put(row.getString("id"), new StockRow(row.getInteger("stock"), row.getLong("version")));
      }
      return locked;
    });
  }

  private static Future<Set<UUID>> insert(SqlConnection conn, List<OrderJob> jobs) {
    int n = jobs.size();
    UUID[] ids = new UUID[n];
    String[] products = new String[n];
    Integer[] quantities = new Integer[n];
    String[] customers = new String[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      OrderJob job = jobs.get(i);
      ids[i] = job.orderId();
      products[i] = job.productId();
      quantities[i] = job.quantity();
      customers[i] = job.customerId();
      created[i] = job.createdAt().atOffset(ZoneOffset.UTC);
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(products).addValue(quantities)
        .addArrayOfString(customers).addValue(created);
    return conn.preparedQuery(INSERT_ORDERS).execute(params).map(OrderWriter::ids);
  }

  private static Future<Void> reject(SqlConnection conn, List<UUID> rejected) {
    if (rejected.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(REJECT_ORDERS)
        .execute(Tuple.tuple().addArrayOfUUID(rejected.toArray(UUID[]::new)).addString(BatchPlan.INSUFFICIENT_STOCK))
        .mapEmpty();
  }

  private static Future<Map<String, StockRow>> decrement(SqlConnection conn, Map<String, Integer> units) {
    if (units.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] ids = units.keySet().toArray(String[]::new);
    Integer[] amounts = units.values().toArray(Integer[]::new);
    return conn.preparedQuery(DECREMENT_STOCK).execute(Tuple.tuple().addArrayOfString(ids).addValue(amounts))
        .compose(rows -> {
          Map<String, StockRow> after = new HashMap<>();
          for (Row row : rows) {
            after.put(row.getString("id"), new StockRow(row.getInteger("stock"), row.getLong("version")));
          }
          if (after.size() != units.size()) {
            // cannot happen while the rows are locked; if it does, roll back rather than oversell
            return Future.failedFuture(new IllegalStateException("stock guard refused a planned decrement"));
          }
          return Future.succeededFuture(after);
        });
  }

  /** The id column of a RETURNING or SELECT. */
  private static Set<UUID> ids(Iterable<Row> rows) {
    Set<UUID> ids = new HashSet<>();
    for (Row row : rows) {
      ids.add(row.getUUID("id"));
    }
    return ids;
  }
}
