package bolt;

import bolt.config.BoltConfig;
import bolt.stock.Keys;
import bolt.stock.ProductRepository;
import bolt.stock.ProductService;
import bolt.stock.StockLedger;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Start-up work that needs both backends: apply the schema, load the demo products if asked, and give
 * every DB product its Redis keys. It retries until both answer, in the background, so that the API
 * can already answer 503 (not hang, not exit) while a backend is still coming up.
 */
final class Bootstrap {

  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
  /** Serialises schema creation between processes that start together. */
  private static final long SCHEMA_LOCK = 0x626f6c74L;

  private final Vertx vertx;
  private final BoltConfig config;
  private final Pool pool;
  private final Redis redis;

  Bootstrap(Vertx vertx, BoltConfig config, Pool pool, Redis redis) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.redis = redis;
  }

  /** Completes once the schema is applied and Redis holds every product; never fails. */
  Future<Void> run() {
    Promise<Void> done = Promise.promise();
    attempt(done, 1);
    return done.future();
  }

  private void attempt(Promise<Void> done, int attempt) {
    once().onSuccess(synced -> {
      LOG.info("Schema ready; {} products added to Redis", synced);
      done.complete();
    }).onFailure(failure -> {
      if (attempt == 1) {
        LOG.warn("Start-up sync waiting for PostgreSQL and Redis: {}", failure.toString());
      }
      vertx.setTimer(Math.min(2_000, 100L * attempt), id -> attempt(done, attempt + 1));
    });
  }

  private Future<Integer> once() {
    String schema = "SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ");\n" + resource("sql/schema.sql")
        + (config.seedDemoProducts() ? resource("sql/seed.sql") : "");
    ProductService products = new ProductService(new ProductRepository(pool),
        new StockLedger(redis, new Keys(config.keyPrefix()), config.redisTimeoutMs()), config.redisTimeoutMs());
    // one simple-protocol query runs the whole script as one implicit transaction
    return pool.query(schema).execute().compose(applied -> products.syncToRedis());
  }

  static String resource(String path) {
    try (InputStream in = Bootstrap.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
