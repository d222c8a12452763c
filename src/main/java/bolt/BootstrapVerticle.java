package bolt;

import bolt.config.BoltConfig;
import bolt.infra.Clients;
import bolt.stock.Keys;
import bolt.stock.ProductRepository;
import bolt.stock.ProductService;
import bolt.stock.StockLedger;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
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
 * can already answer 503 (not hang, not exit) while a backend is still coming up. Afterwards the sync
 * repeats every few seconds, so a restock whose Redis step failed reaches Redis once it is back.
 */
final class BootstrapVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BootstrapVerticle.class);
  /** Serialises schema creation between processes that start together. */
  private static final long SCHEMA_LOCK = 0x626f6c74L;
  private static final long RESYNC_INTERVAL_MS = 5_000;

  private final BoltConfig config;
  private final Promise<Void> synced = Promise.promise();
  private Redis redis;
  private Pool pool;
  private ProductService products;
  private String schema;

  BootstrapVerticle(BoltConfig config) {
    this.config = config;
  }

  /** Completes once the schema is applied and Redis holds every product; never fails. */
  Future<Void> synced() {
    return synced.future();
  }

  @Override
  public Future<?> start() {
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, 1);
    products = new ProductService(new ProductRepository(pool),
        new StockLedger(redis, new Keys(config.keyPrefix()), config.redisTimeoutMs()), config.redisTimeoutMs());
    schema = "SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ");\n" + resource("sql/schema.sql")
        + (config.seedDemoProducts() ? resource("sql/seed.sql") : "");
    attempt(1);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return Future.join(redis.close(), pool.close());
  }

  private void attempt(int attempt) {
    once().onSuccess(count -> {
      LOG.info("Schema ready; {} products synced to Redis", count);
      synced.complete();
      vertx.setPeriodic(RESYNC_INTERVAL_MS, id -> products.syncToRedis().onSuccess(changed -> {
        if (changed > 0) {
          LOG.info("{} products synced to Redis from the database", changed);
        }
      }));
    }).onFailure(failure -> {
      if (attempt == 1) {
        LOG.warn("Start-up sync waiting for PostgreSQL and Redis: {}", failure.toString());
      }
      vertx.setTimer(Math.min(2_000, 100L * attempt), id -> attempt(attempt + 1));
    });
  }

  private Future<Integer> once() {
    // one simple-protocol query runs the whole script as one implicit transaction
    return pool.query(schema).execute().compose(applied -> products.syncToRedis());
  }

  private static String resource(String path) {
    try (InputStream in = BootstrapVerticle.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
