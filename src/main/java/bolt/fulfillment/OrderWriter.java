package bolt.fulfillment;

import bolt.fulfillment.BatchPlan.Counted;
import bolt.fulfillment.BatchPlan.Settlement;
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
 * Writes one batch of jobs to PostgreSQL in one transaction (docs/design.md: write).
 *
 * <p>The orders are inserted first, then the product rows are locked, then stock and the customers'
 * limits are decided and taken: the locks, which serialise every worker touching the same products,
 * are held only for the decision, the updates and the commit. Inserting first is safe because the
 * orders' foreign key takes KEY SHARE locks, which FOR NO KEY UPDATE does not block.
 */
class OrderWriter {

  /**
   * Inserts every job whose product exists, as CONFIRMED, with its payment deadline when the product
   * holds orders for payment; RETURNING says which were new. An order already written (a
   * redelivery) is skipped; one of an unknown product is left for the dead letters.
   */
  static final String INSERT_ORDERS =
      "INSERT INTO orders (id, product_id, quantity, customer_id, status, created_at, limited, pay_by) "
          + "SELECT u.id, u.product_id, u.quantity, u.customer_id, 'CONFIRMED', u.created_at, u.limited, "
          + "now() + make_interval(secs => p.hold_seconds) "
          + "FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::bool[]) "
          + "AS u(id, product_id, quantity, customer_id, created_at, limited) JOIN products p ON p.id = u.product_id "
          + "ON CONFLICT (id) DO NOTHING RETURNING id";
  /** How the orders of a redelivered batch were settled when first written (rare: only after a crash). */
  static final String EARLIER = "SELECT id, status, reason FROM orders WHERE id = ANY($1)";
  /** In id order, so two workers can never deadlock on each other's products. */
  static final String LOCK_PRODUCTS =
      "SELECT id, stock, version, limit_per_customer FROM products WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE";
  static final String COUNTED =
      "SELECT c.product_id, c.customer_id, c.units FROM customer_units c "
          + "JOIN unnest($1::text[], $2::text[]) AS k(product_id, customer_id) "
          + "ON c.product_id = k.product_id AND c.customer_id = k.customer_id";
  static final String REJECT_ORDERS =
      "UPDATE orders o SET status = 'REJECTED', reason = r.reason, pay_by = NULL "
          + "FROM unnest($1::uuid[], $2::text[]) AS r(id, reason) WHERE o.id = r.id";
  /** The guard is the last line; the plan never takes more than the locked stock. */
  static final String DECREMENT_STOCK =
      "UPDATE products p SET stock = p.stock - d.units, version = p.version + 1, updated_at = now() "
          + "FROM unnest($1::text[], $2::int[]) AS d(id, units) "
          + "WHERE p.id = d.id AND p.stock >= d.units RETURNING p.id, p.stock, p.version";
  static final String COUNT_UNITS =
      "INSERT INTO customer_units (product_id, customer_id, units) SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) "
          + "ON CONFLICT (product_id, customer_id) DO UPDATE SET units = customer_units.units + EXCLUDED.units";

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
        .compose(inserted -> earlier(conn, jobs, inserted)
            .compose(earlier -> lockProducts(conn, jobs).compose(locked -> {
              afterLock.run();
              return counted(conn, jobs, inserted, locked.limits())
                  .map(counted -> BatchPlan.of(jobs, new BatchPlan.Found(locked.rows(), locked.limits(), inserted,
                      earlier, counted)));
            })))
        .compose(plan -> reject(conn, plan.rejected())
            .compose(ignored -> countUnits(conn, plan.countedUnits()))
            .compose(ignored -> decrement(conn, plan.decrements()))
            .map(decremented -> {
              Map<String, StockRow> after = new HashMap<>(plan.locked());
              after.putAll(decremented);
              return new BatchResult(jobs, plan, after);
            })));
  }

  private record Locked(Map<String, StockRow> rows, Map<String, Integer> limits) {
  }

  private static Future<Locked> lockProducts(SqlConnection conn, List<OrderJob> jobs) {
    String[] ids = new TreeSet<>(jobs.stream().map(OrderJob::productId).toList()).toArray(String[]::new);
    return conn.preparedQuery(LOCK_PRODUCTS).execute(Tuple.tuple().addArrayOfString(ids)).map(rows -> {
      Map<String, StockRow> locked = new HashMap<>();
      Map<String, Integer> limits = new HashMap<>();
      for (Row row : rows) {
        locked.put(row.getString("id"), new StockRow(row.getInteger("stock"), row.getLong("version")));
        Integer limit = row.getInteger("limit_per_customer");
        if (limit != null) {
          limits.put(row.getString("id"), limit);
        }
      }
      return new Locked(locked, limits);
    });
  }

  private static Future<Set<UUID>> insert(SqlConnection conn, List<OrderJob> jobs) {
    int n = jobs.size();
    UUID[] ids = new UUID[n];
    String[] products = new String[n];
    Integer[] quantities = new Integer[n];
    String[] customers = new String[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    Boolean[] limited = new Boolean[n];
    for (int i = 0; i < n; i++) {
      OrderJob job = jobs.get(i);
      ids[i] = job.orderId();
      products[i] = job.productId();
      quantities[i] = job.quantity();
      customers[i] = job.customerId();
      created[i] = job.createdAt().atOffset(ZoneOffset.UTC);
      limited[i] = job.limited();
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(products).addValue(quantities)
        .addArrayOfString(customers).addValue(created).addValue(limited);
    return conn.preparedQuery(INSERT_ORDERS).execute(params).map(rows -> {
      Set<UUID> inserted = new HashSet<>();
      rows.forEach(row -> inserted.add(row.getUUID("id")));
      return inserted;
    });
  }

  private static Future<Map<UUID, Settlement>> earlier(SqlConnection conn, List<OrderJob> jobs, Set<UUID> inserted) {
    UUID[] redelivered = jobs.stream().map(OrderJob::orderId).filter(id -> !inserted.contains(id)).toArray(UUID[]::new);
    if (redelivered.length == 0) {
      return Future.succeededFuture(Map.of());
    }
    return conn.preparedQuery(EARLIER).execute(Tuple.tuple().addArrayOfUUID(redelivered)).map(rows -> {
      Map<UUID, Settlement> settled = new HashMap<>();
      for (Row row : rows) {
        boolean refused = "REJECTED".equals(row.getString("status"));
        settled.put(row.getUUID("id"), !refused ? Settlement.SOLD
            : BatchPlan.LIMIT_EXCEEDED.equals(row.getString("reason")) ? Settlement.REFUSED_FOR_LIMIT
            : Settlement.REFUSED_FOR_STOCK);
      }
      return settled;
    });
  }

  /** The counts of the batch's customers toward the limits of the locked products: read only when there are such. */
  private static Future<Map<Counted, Integer>> counted(SqlConnection conn, List<OrderJob> jobs, Set<UUID> inserted,
                                                       Map<String, Integer> limits) {
    List<OrderJob> limited = jobs.stream().filter(job -> inserted.contains(job.orderId())
        && job.countedCustomer() != null && limits.containsKey(job.productId())).toList();
    if (limited.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] products = limited.stream().map(OrderJob::productId).toArray(String[]::new);
    String[] customers = limited.stream().map(OrderJob::countedCustomer).toArray(String[]::new);
    return conn.preparedQuery(COUNTED).execute(Tuple.tuple().addArrayOfString(products).addArrayOfString(customers))
        .map(rows -> {
      Map<Counted, Integer> counted = new HashMap<>();
      rows.forEach(row -> counted.put(new Counted(row.getString("product_id"), row.getString("customer_id")),
          row.getInteger("units")));
      return counted;
    });
  }

  private static Future<Void> reject(SqlConnection conn, Map<UUID, String> rejected) {
    if (rejected.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(REJECT_ORDERS).execute(Tuple.tuple()
        .addArrayOfUUID(rejected.keySet().toArray(UUID[]::new))
        .addArrayOfString(rejected.values().toArray(String[]::new))).mapEmpty();
  }

  private static Future<Void> countUnits(SqlConnection conn, Map<Counted, Integer> units) {
    if (units.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(COUNT_UNITS).execute(Tuple.of(
        units.keySet().stream().map(Counted::productId).toArray(String[]::new),
        units.keySet().stream().map(Counted::customerId).toArray(String[]::new),
        units.values().toArray(Integer[]::new))).mapEmpty();
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
}
