package bolt.console;

import bolt.config.BoltConfig;
import bolt.infra.Clients;
import bolt.metrics.BoltMetrics;
import bolt.metrics.SaleStateReader;
import bolt.stock.ProductRepository;
import bolt.stock.Shards;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.List;

/**
 * The operator console's one producer per process: while at least one console watches, a snapshot
 * of the sale once a second, encoded once and published on the local event bus to every viewer's
 * stream ({@link ConsoleStream}), whichever event loop serves it; nothing is read while none
 * watches. Viewers say when they join (and are answered the chart history) and leave, so the count
 * lives here, on one event loop. Deployed once, with the http role.
 */
public class ConsoleVerticle extends VerticleBase {

  /** Published: one server-sent event per snapshot. */
  static final String SNAPSHOTS = "bolt.console.snapshots";
  /** Request: a viewer joined; the reply is the history event. */
  static final String JOINED = "bolt.console.joined";
  /** A viewer left. */
  static final String LEFT = "bolt.console.left";
  static final long INTERVAL_MS = 1_000;

  private final BoltConfig config;
  private final BoltMetrics metrics;
  private final UnitsHistory history = new UnitsHistory();
  private Redis redis;
  private Pool pool;
  private SaleSnapshots snapshots;
  /** Changed on this verticle's event loop only; volatile for the gauge read at scrape time. */
  private volatile int viewers;
  private boolean making;

  public ConsoleVerticle(BoltConfig config, BoltMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, 1);
    long timeout = config.redisTimeoutMs();
    snapshots = new SaleSnapshots(new SaleStateReader(redis, new ProductRepository(pool), Shards.of(config),
        timeout), new SoldUnits(pool, timeout), metrics, List.copyOf(config.roles()));
    metrics.consoleViewers(() -> viewers);
    vertx.eventBus().<Void>localConsumer(JOINED, joined -> {
      joined.reply(ConsoleStream.event("history", history.toJson()));
      viewers++;
      if (viewers == 1) {
        snapshot(); // the first viewer need not wait for the next tick
      }
    });
    vertx.eventBus().<Void>localConsumer(LEFT, left -> viewers = Math.max(0, viewers - 1));
    vertx.setPeriodic(INTERVAL_MS, id -> snapshot());
    return Future.succeededFuture();
  }

  /** One snapshot for every viewer; none while none watches, or while the previous one is still being read. */
  private void snapshot() {
    if (viewers == 0 || making) {
      return;
    }
    making = true;
    snapshots.next().onComplete(made -> {
      making = false;
      if (made.succeeded()) {
        metrics.consoleSnapshotMade();
        JsonObject snapshot = made.result();
        history.add(snapshot);
        vertx.eventBus().publish(SNAPSHOTS, ConsoleStream.event("snapshot", snapshot));
      }
    });
  }

  @Override
  public Future<?> stop() {
    return Future.join(redis.close(), pool.close());
  }
}
