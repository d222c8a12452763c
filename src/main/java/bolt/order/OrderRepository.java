package bolt.order;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads of the orders table; writes belong to fulfillment. */
public class OrderRepository {

  static final String FIND =
      "SELECT id, product_id, quantity, customer_id, status, reason, created_at, processed_at FROM orders WHERE id = $1";
  /** Newest first through the primary key: order ids are UUIDv7, ordered by their creation time. */
  static final String RECENT =
      "SELECT id, product_id, quantity, customer_id, status, reason, created_at, processed_at FROM orders "
          + "ORDER BY id DESC LIMIT $1";

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

  private static OrderView toView(Row row) {
    OffsetDateTime created = row.getOffsetDateTime("created_at");
    OffsetDateTime processed = row.getOffsetDateTime("processed_at");
    return new OrderView(row.getUUID("id"), row.getString("product_id"), row.getInteger("quantity"),
        row.getString("customer_id"), row.getString("status"), row.getString("reason"),
        created == null ? null : created.toInstant(), processed == null ? null : processed.toInstant());
  }
}
