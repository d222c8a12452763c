package bolt.stock;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The products table. */
public class ProductRepository {

  static final String COLUMNS =
      "id, name, stock, version, limit_per_customer, sale_starts_at, sale_ends_at, hold_seconds, rules_version, shard";
  static final String ALL = "SELECT " + COLUMNS + " FROM products ORDER BY id";
  static final String FIND = "SELECT " + COLUMNS + " FROM products WHERE id = $1";
  static final String SHARD = "SELECT shard FROM products WHERE id = $1";
  static final String CREATE =
      "INSERT INTO products (id, name, stock, limit_per_customer, sale_starts_at, sale_ends_at, hold_seconds, shard) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING " + COLUMNS;
  /** Each rule changes only when its flag is set; stock and its version are never touched here. */
  static final String PATCH =
      "UPDATE products SET name = coalesce($2, name), "
          + "limit_per_customer = CASE WHEN $3 THEN $4::integer ELSE limit_per_customer END, "
          + "sale_starts_at = CASE WHEN $5 THEN $6::timestamptz ELSE sale_starts_at END, "
          + "sale_ends_at = CASE WHEN $7 THEN $8::timestamptz ELSE sale_ends_at END, "
          + "hold_seconds = CASE WHEN $9 THEN $10::integer ELSE hold_seconds END, "
          + "rules_version = rules_version + 1, updated_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  /**
   * Records the epoch of the Redis that now holds every product and its shard count; returns the
   * ones recorded before (null when none).
   */
  static final String SWAP_REDIS_EPOCH =
      "WITH before AS (SELECT name, value FROM bolt_meta WHERE name IN ('redis_epoch', 'redis_shards')), "
          + "written AS (INSERT INTO bolt_meta (name, value) VALUES ('redis_epoch', $1), ('redis_shards', $2) "
          + "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()) "
          + "SELECT (SELECT value FROM before WHERE name = 'redis_epoch') AS previous, "
          + "(SELECT value FROM before WHERE name = 'redis_shards') AS previous_shards";
  static final String SALE_WINDOW_CHECK = "products_sale_window_check";

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

  /** The highest shard any product is stored in (0 without products). */
  public Future<Integer> maxShard() {
    return pool.query("SELECT coalesce(max(shard), 0) AS shard FROM products").execute()
        .map(rows -> rows.iterator().next().getInteger("shard"));
  }

  /** The product's shard, or empty when there is no such product. */
  public Future<Optional<Integer>> shard(String id) {
    return pool.preparedQuery(SHARD).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getInteger("shard")));
  }

  /** Empty when a product with this id exists already. */
  public Future<Optional<Product>> create(String id, String name, int stock, SaleRules rules, int shard) {
    Tuple row = Tuple.of(id, name, stock, rules.limitPerCustomer(), at(rules.startsAt()), at(rules.endsAt()),
        rules.holdSeconds()).addInteger(shard);
    return pool.preparedQuery(CREATE).execute(row).map(rows -> first(toProducts(rows)));
  }

  public Future<Patched> patch(String id, ProductPatch patch) {
    Tuple row = Tuple.of(id, patch.name())
        .addBoolean(patch.limitPerCustomer() != null).addInteger(value(patch.limitPerCustomer()))
        .addBoolean(patch.saleStartsAt() != null).addOffsetDateTime(at(value(patch.saleStartsAt())))
        .addBoolean(patch.saleEndsAt() != null).addOffsetDateTime(at(value(patch.saleEndsAt())))
        .addBoolean(patch.holdSeconds() != null).addInteger(value(patch.holdSeconds()));
    return pool.preparedQuery(PATCH).execute(row)
        .map(rows -> first(toProducts(rows)).<Patched>map(Patched.Done::new).orElse(new Patched.UnknownProduct()))
        .recover(failure -> failure instanceof PgException pg && SALE_WINDOW_CHECK.equals(pg.getConstraint())
            ? Future.succeededFuture(new Patched.EndsBeforeStart()) : Future.failedFuture(failure));
  }

  /** The Redis last given every product: its epoch (null when none ever was) and its shard count. */
  public record RedisEpoch(String epoch, int shards) {
  }

  /**
   * See {@link #SWAP_REDIS_EPOCH}: the Redis recorded before, or an epoch of null when no Redis was
   * ever synced from this database; a record from before shards existed counts as one shard.
   */
  public Future<RedisEpoch> swapRedisEpoch(String epoch, int shards) {
    return pool.preparedQuery(SWAP_REDIS_EPOCH).execute(Tuple.of(epoch, String.valueOf(shards)))
        .map(rows -> {
          Row row = rows.iterator().next();
          String previousShards = row.getString("previous_shards");
          return new RedisEpoch(row.getString("previous"), previousShards == null ? 1 : Integer.parseInt(previousShards));
        });
  }

  static Product toProduct(Row row) {
    SaleRules rules = new SaleRules(row.getInteger("limit_per_customer"), instant(row, "sale_starts_at"),
        instant(row, "sale_ends_at"), row.getInteger("hold_seconds"), row.getLong("rules_version"));
    return new Product(row.getString("id"), row.getString("name"), row.getInteger("stock"), row.getLong("version"),
        rules, null, row.getInteger("shard"));
  }

  private static List<Product> toProducts(RowSet<Row> rows) {
    List<Product> products = new ArrayList<>(rows.size());
    rows.forEach(row -> products.add(toProduct(row)));
    return products;
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime at = row.getOffsetDateTime(column);
    return at == null ? null : at.toInstant();
  }

  private static OffsetDateTime at(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static <T> T value(ProductPatch.Change<T> change) {
    return change == null ? null : change.value();
  }

  private static <T> Optional<T> first(List<T> list) {
    return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }
}
