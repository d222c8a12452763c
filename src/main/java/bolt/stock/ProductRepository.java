package bolt.stock;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The products table. */
public class ProductRepository {

  static final String ALL = "SELECT id, name, stock, version FROM products ORDER BY id";
  static final String FIND = "SELECT id, name, stock, version FROM products WHERE id = $1";
  static final String CREATE =
      "INSERT INTO products (id, name, stock) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING "
          + "RETURNING id, name, stock, version";
  /** Records the epoch of the Redis that now holds every product; returns the one recorded before, if any. */
  static final String SWAP_REDIS_EPOCH =
      "WITH before AS (SELECT value FROM bolt_meta WHERE name = 'redis_epoch') "
          + "INSERT INTO bolt_meta (name, value) VALUES ('redis_epoch', $1) "
          + "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now() "
          + "RETURNING (SELECT value FROM before) AS previous";

  private final Pool pool;

  public ProductRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<List<Product>> all() {
    return pool.preparedQuery(ALL).execute().map(ProductRepository::toProducts);
  }

  public Future<Optional<Product>> find(String id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> first(toProducts(rows)));
  }

  /** Empty when a product with this id exists already. */
  public Future<Optional<Product>> create(String id, String name, int stock) {
    return pool.preparedQuery(CREATE).execute(Tuple.of(id, name, stock)).map(rows -> first(toProducts(rows)));
  }

  /** See {@link #SWAP_REDIS_EPOCH}; null when no Redis was ever synced from this database. */
  public Future<String> swapRedisEpoch(String epoch) {
    return pool.preparedQuery(SWAP_REDIS_EPOCH).execute(Tuple.of(epoch))
        .map(rows -> rows.iterator().next().getString("previous"));
  }

  private static List<Product> toProducts(RowSet<Row> rows) {
    List<Product> products = new ArrayList<>(rows.size());
    for (Row row : rows) {
      products.add(new Product(row.getString("id"), row.getString("name"), row.getInteger("stock"),
          row.getLong("version"), null));
    }
    return products;
  }

  private static <T> Optional<T> first(List<T> list) {
    return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }
}
