package bolt;

import bolt.config.BoltConfig;
import bolt.config.ConfigException;
import bolt.infra.Clients;
import bolt.stock.ProductRepository;
import bolt.stock.ProductDirectory;
import bolt.stock.ProductShards;
import bolt.stock.RedisSync;
import bolt.stock.Shards;
import bolt.stock.StockChangeRepository;
import bolt.stock.StockLedger;
import bolt.stock.StockReturns;
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
 * can already answer 503 (not hang, not exit) while a backend is still coming up. Afterwards Redis is
 * checked every second for a lost sync mark (a wiped or replaced Redis is rebuilt at once), and fully
 * synced every few seconds, so a restock whose Redis step failed reaches Redis once it is back.
 */
final class BootstrapVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BootstrapVerticle.class);
  /** Serialises schema creation between processes that start together. */
  private static final long SCHEMA_LOCK = 0x626f6c74L;
  private static final long CHECK_INTERVAL_MS = 1_000;
  private static final int CHECKS_PER_FULL_SYNC = 5;

  private final BoltConfig config;
  private final Promise<Void> synced = Promise.promise();
  private final Promise<Void> refused = Promise.promise();
  private Redis redis;
  private Pool pool;
  private RedisSync sync;
  private String schema;
  private long checks;
  private boolean syncing;
  private boolean syncAgain;

  BootstrapVerticle(BoltConfig config) {
    this.config = config;
  }

  /**
   * Fails, once, when the database does not fit the configuration (a product in a shard at or above
   * redis.shards): the process must not start. Never completes otherwise.
   */
  Future<Void> refused() {
    return refused.future();
  }

  /** Completes once the schema is applied and Redis holds every product; never fails. */
  Future<Void> synced() {
    return synced.future();
  }

  @Override
  public Future<?> start() {
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, 1);
    long timeout = config.redisTimeoutMs();
    ProductShards shards = new ProductShards(Shards.of(config), new ProductRepository(pool),
        ProductDirectory.of(vertx, config.keyPrefix()));
    StockLedger ledger = new StockLedger(redis, shards, timeout);
    sync = new RedisSync(new ProductRepository(pool), ledger,
        new StockReturns(ledger, new StockChangeRepository(pool), timeout), timeout);
    schema = "SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ");\n" + resource("sql/schema.sql")
        + (config.seedDemoProducts() ? resource("sql/seed.sql") : "");
    vertx.eventBus().localConsumer(RedisSync.RESYNC_ADDRESS, request -> syncNow());
    attempt(1);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return Future.join(redis.close(), pool.close());
  }

  private void attempt(int attempt) {
    // one simple-protocol query runs the whole script as one implicit transaction
    pool.query(schema).execute().compose(applied -> sync.checkShards()).compose(checked -> sync.run())
        .onSuccess(pass -> {
          LOG.info("Schema ready; {} products synced to Redis", pass.productsChanged());
          synced.complete();
          vertx.setPeriodic(CHECK_INTERVAL_MS, id -> check());
        }).onFailure(failure -> {
          if (failure instanceof ConfigException refusal) {
            // the database does not fit the configuration: retrying cannot help
            refused.fail(refusal);
            return;
          }
          if (attempt == 1) {
            LOG.warn("Start-up sync waiting for PostgreSQL and Redis: {}", failure.toString());
          }
          vertx.setTimer(Math.min(2_000, 100L * attempt), id -> attempt(attempt + 1));
        });
  }

  private void check() {
    if (++checks % CHECKS_PER_FULL_SYNC == 0) {
      syncNow();
    } else {
      sync.redisEmpty().onSuccess(empty -> {
        if (empty) {
          syncNow();
        }
      });
    }
  }

  /** Runs a sync pass, or one more right after the pass under way. */
  private void syncNow() {
    if (!synced.future().isComplete()) {
      return;
    }
    if (syncing) {
      syncAgain = true;
      return;
    }
    syncing = true;
    sync.run().onSuccess(pass -> {
      if (pass.productsChanged() > 0 || pass.changesApplied() > 0) {
        LOG.info("Synced Redis from the database: {} products created or updated, {} pending stock changes applied",
            pass.productsChanged(), pass.changesApplied());
      }
    }).onComplete(done -> {
      syncing = false;
      if (syncAgain) {
        syncAgain = false;
        syncNow();
      }
    });
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
