package bolt.fulfillment;

import bolt.order.OrderJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Writes one batch of jobs to PostgreSQL in one transaction (design.md: write). */
class OrderWriter {

  /**
   * Rows are locked in id order, so two workers can never deadlock on each other's products. FOR NO
   * KEY UPDATE, not FOR UPDATE: the orders' foreign key takes KEY SHARE locks, which it does not block.
   */
  static final String LOCK_PRODUCTS =
      "SELECT id, stock, version FROM products WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE";
  static final String WRITTEN_ALREADY = "SELECT id FROM orders WHERE id = ANY($1)";
  static final String INSERT_ORDERS =
      "INSERT INTO orders (id, product_id, quantity, customer_id, status, reason, created_at) "
          + "SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) "
          + "ON CONFLICT (id) DO NOTHING RETURNING id";
  /** The guard is the mechanism's last line; the plan never asks for more than the locked stock. */
  static final String DECREMENT_STOCK =
      "UPDATE products p SET stock = p.stock - d.units, version = p.version + 1, updated_at = now() "
          + "FROM unnest($1::text[], $2::int[]) AS d(id, units) "
          + "WHERE p.id = d.id AND p.stock >= d.units RETURNING p.id, p.stock, p.version";

  private final Pool pool;

  OrderWriter(Pool pool) {
    this.pool = pool;
  }

  Future<BatchResult> write(List<OrderJob> jobs) {
    return pool.withTransaction(conn -> lockProducts(conn, jobs)
        .compose(locked -> writtenAlready(conn, jobs)
            .map(written -> BatchPlan.of(jobs, locked, written)))
        .compose(plan -> insert(conn, jobs, plan)
            .compose(inserted -> decrement(conn, plan.decrements(jobs, inserted)))
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

  private static Future<Set<UUID>> writtenAlready(SqlConnection conn, List<OrderJob> jobs) {
    UUID[] ids = jobs.stream().map(OrderJob::orderId).toArray(UUID[]::new);
    return conn.preparedQuery(WRITTEN_ALREADY).execute(Tuple.tuple().addArrayOfUUID(ids)).map(OrderWriter::ids);
  }

  private static Future<Set<UUID>> insert(SqlConnection conn, List<OrderJob> jobs, BatchPlan plan) {
    List<OrderJob> rows = jobs.stream().filter(plan::inserts).toList();
    if (rows.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    int n = rows.size();
    UUID[] ids = new UUID[n];
    String[] products = new String[n];
    Integer[] quantities = new Integer[n];
    String[] customers = new String[n];
    String[] statuses = new String[n];
    String[] reasons = new String[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      OrderJob job = rows.get(i);
      boolean confirmed = plan.outcome(job) == BatchPlan.Outcome.CONFIRMED;
      ids[i] = job.orderId();
      products[i] = job.productId();
      quantities[i] = job.quantity();
      customers[i] = job.customerId();
      statuses[i] = confirmed ? "CONFIRMED" : "REJECTED";
      reasons[i] = confirmed ? null : BatchPlan.INSUFFICIENT_STOCK;
      created[i] = job.createdAt().atOffset(ZoneOffset.UTC);
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(products).addValue(quantities)
        .addArrayOfString(customers).addArrayOfString(statuses).addArrayOfString(reasons).addValue(created);
    return conn.preparedQuery(INSERT_ORDERS).execute(params).map(OrderWriter::ids);
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
