package bolt.order;

import bolt.stock.StockChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The transactions that change a written order's status: pay, cancel, and the expiry of unpaid
 * holds. A cancellation returns the order's units to the product's stock and to the customer's
 * limit count, and records the change for Redis (stock_changes), all in one transaction; the
 * order's row lock makes a second cancellation, or a payment racing an expiry, see the first's result.
 */
public class OrderStatusRepository {

  static final String LOCK_ORDER =
      "SELECT " + OrderRepository.VIEW_COLUMNS + ", limited FROM orders WHERE id = $1 FOR UPDATE";
  /** Due holds, oldest first; rows another sweep holds are skipped, so sweeps never wait on each other. */
  static final String LOCK_DUE =
      "SELECT " + OrderRepository.VIEW_COLUMNS + ", limited FROM orders WHERE status = 'CONFIRMED' "
          + "AND pay_by <= now() ORDER BY pay_by LIMIT $1 FOR UPDATE SKIP LOCKED";
  static final String CANCEL =
      "UPDATE orders SET status = 'CANCELLED', reason = $2, cancelled_at = now() WHERE id = ANY($1) RETURNING "
          + OrderRepository.VIEW_COLUMNS;
  /**
   * One statement per order, so that each change has its own version (return_units.lua applies each
   * once): the stock goes back and the change is recorded for Redis together, so the product's row
   * lock, which every writer of the product waits on, is held for this statement and the commit only.
   */
  static final String RETURN_STOCK =
      "WITH p AS (UPDATE products SET stock = stock + $3, version = version + 1, updated_at = now() WHERE id = $1 "
          + "RETURNING stock, version) "
          + "INSERT INTO stock_changes (product_id, request_id, kind, quantity, customer_id, customer_units, "
          + "stock_after, version_after) SELECT $1, $2, $4, $3, $5, $6, p.stock, p.version FROM p "
          + "RETURNING stock_after, version_after";
  static final String RELEASE_CUSTOMER_UNITS =
      "UPDATE customer_units u SET units = u.units - r.units FROM (SELECT product_id, customer_id, sum(units) AS units "
          + "FROM unnest($1::text[], $2::text[], $3::int[]) AS x(product_id, customer_id, units) GROUP BY 1, 2) r "
          + "WHERE u.product_id = r.product_id AND u.customer_id = r.customer_id";
  /** Paid before the hold ran out, by the database's clock (the expiry sweep's clock). */
  static final String PAY =
      "UPDATE orders SET status = 'PAID', paid_at = now() WHERE id = $1 AND status = 'CONFIRMED' "
          + "AND (pay_by IS NULL OR pay_by > now()) RETURNING " + OrderRepository.VIEW_COLUMNS;
  static final String HOLD_EXPIRED = "HOLD_EXPIRED";
  static final String CANCELLED = "CANCELLED";

  /** Orders cancelled in one transaction, and the stock changes Redis must now apply. */
  public record Cancelled(List<OrderView> orders, List<StockChange> changes) {
  }

  /** What a cancellation came to, and what Redis must apply. */
  public record Outcome(StatusChange change, List<StockChange> changes) {
  }

  private final Pool pool;

  public OrderStatusRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Cancels a CONFIRMED or PAID order: Done with the stock changes (none when it was cancelled
   * before), Refused for a REJECTED order, Unknown when no such row exists (yet).
   */
  public Future<Outcome> cancel(UUID orderId) {
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_ORDER).execute(Tuple.of(orderId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Outcome(new StatusChange.Unknown(), List.of()));
      }
      Row row = rows.iterator().next();
      OrderView order = OrderRepository.toView(row);
      return switch (order.status()) {
        case OrderView.CANCELLED -> Future.succeededFuture(new Outcome(new StatusChange.Done(order, true), List.of()));
        case OrderView.REJECTED -> Future.succeededFuture(
            new Outcome(new StatusChange.Refused(order, "ORDER_NOT_CANCELLABLE"), List.of()));
        default -> cancelLocked(conn, List.of(row), CANCELLED, "CANCEL")
            .map(done -> new Outcome(new StatusChange.Done(done.orders().get(0), false), done.changes()));
      };
    }));
  }

  /** Cancels up to {@code max} CONFIRMED orders whose hold ran out. */
  public Future<Cancelled> expireDue(int max) {
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_DUE).execute(Tuple.of(max)).compose(rows -> {
      List<Row> due = new ArrayList<>(rows.size());
      rows.forEach(due::add);
      return due.isEmpty() ? Future.succeededFuture(new Cancelled(List.of(), List.of()))
          : cancelLocked(conn, due, HOLD_EXPIRED, HOLD_EXPIRED);
    }));
  }

  /** PAID, or null when the order is not CONFIRMED within its hold (the caller looks at why). */
  public Future<OrderView> pay(UUID orderId) {
    return pool.preparedQuery(PAY).execute(Tuple.of(orderId))
        .map(rows -> rows.size() == 0 ? null : OrderRepository.toView(rows.iterator().next()));
  }

  /**
   * Cancels orders whose rows this transaction holds. It then locks as every writer of stock does:
   * the products, in id order, before the customers' counts (the batch transaction locks its
   * products, then counts), so no two transactions ever wait on each other in a circle.
   */
  private static Future<Cancelled> cancelLocked(SqlConnection conn, List<Row> rows, String reason, String kind) {
    List<Row> ordered = new ArrayList<>(rows);
    ordered.sort(Comparator.comparing((Row row) -> row.getString("product_id")).thenComparing(row -> row.getUUID("id")));
    UUID[] ids = ordered.stream().map(row -> row.getUUID("id")).toArray(UUID[]::new);
    List<Tuple> returns = ordered.stream().map(row -> {
      boolean limited = row.getBoolean("limited") && row.getString("customer_id") != null;
      return Tuple.of(row.getString("product_id"), kind.toLowerCase() + ":" + row.getUUID("id"),
          row.getInteger("quantity"), kind, limited ? row.getString("customer_id") : null,
          limited ? row.getInteger("quantity") : 0);
    }).toList();
    return conn.preparedQuery(CANCEL).execute(Tuple.of(ids, reason)).compose(updated -> {
      List<OrderView> cancelled = new ArrayList<>(updated.size());
      updated.forEach(row -> cancelled.add(OrderRepository.toView(row)));
      return conn.preparedQuery(RETURN_STOCK).executeBatch(returns)
          .compose(recorded -> releaseCustomerUnits(conn, ordered).map(released -> recorded))
          .map(recorded -> new Cancelled(cancelled, changes(returns, recorded)));
    });
  }

  /** The rows of a batch's results follow one another, one per order. */
  private static List<StockChange> changes(List<Tuple> returns, RowSet<Row> recorded) {
    List<StockChange> changes = new ArrayList<>(returns.size());
    RowSet<Row> result = recorded;
    for (Tuple change : returns) {
      Row after = result.iterator().next();
      changes.add(new StockChange(change.getString(0), change.getString(1), change.getInteger(2), change.getString(4),
          change.getInteger(5), after.getInteger("stock_after"), after.getLong("version_after")));
      result = result.next();
    }
    return changes;
  }

  private static Future<Void> releaseCustomerUnits(SqlConnection conn, List<Row> ordered) {
    List<Row> counted = ordered.stream().filter(row -> row.getBoolean("limited") && row.getString("customer_id") != null)
        .toList();
    if (counted.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(RELEASE_CUSTOMER_UNITS).execute(Tuple.of(
        counted.stream().map(row -> row.getString("product_id")).toArray(String[]::new),
        counted.stream().map(row -> row.getString("customer_id")).toArray(String[]::new),
        counted.stream().map(row -> row.getInteger("quantity")).toArray(Integer[]::new))).mapEmpty();
  }
}
