package bolt.order;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads of the orders table; writes belong to fulfillment and to {@link OrderStatusRepository}. */
public class OrderRepository {

  static final String VIEW_COLUMNS =
      "id, product_id, quantity, customer_id, status, reason, created_at, processed_at, pay_by, paid_at, cancelled_at";
  static final String FIND = "SELECT " + VIEW_COLUMNS + " FROM orders WHERE id = $1";
  /** Newest first through the primary key: order ids begin with their creation time (OrderIds). */
  static final String RECENT = "SELECT " + VIEW_COLUMNS + " FROM orders ORDER BY id DESC LIMIT $1";

  private final Pool pool;

  public OrderRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<OrderView>> find(UUID orderId) {
    return pool.preparedQuery(FIND).execute(Tuple.of(orderId)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(toView(it.next())) : Optional.empty();
    });
  }

  public Future<List<OrderView>> recent(int limit) {
    return pool.preparedQuery(RECENT).execute(Tuple.of(limit)).map(rows -> {
      List<OrderView> views = new ArrayList<>(rows.size());
      rows.forEach(row -> views.add(toView(row)));
      return views;
    });
  }

  static OrderView toView(Row row) {
    return new OrderView(row.getUUID("id"), row.getString("product_id"), row.getInteger("quantity"),
        row.getString("customer_id"), row.getString("status"), row.getString("reason"), instant(row, "created_at"),
        instant(row, "processed_at"), instant(row, "pay_by"), instant(row, "paid_at"), instant(row, "cancelled_at"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime at = row.getOffsetDateTime(column);
    return at == null ? null : at.toInstant();
  }
}
