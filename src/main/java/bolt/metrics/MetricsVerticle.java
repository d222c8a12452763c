package bolt.metrics;

import bolt.config.BoltConfig;
import bolt.infra.Clients;
import bolt.stock.ProductRepository;
import bolt.stock.Shards;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port ({@code metrics.port}): GET /metrics for Prometheus. A port of its own, away
 * from the buyers: no load balancer sends it traffic, the main port's connection cap and start-up
 * gate cannot turn a scrape away in the middle of a sale, and it needs no token (README: Metrics).
 * One instance per process, in every role. Wiring only.
 */
public class MetricsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsVerticle.class);

  private final BoltConfig config;
  private final BoltMetrics metrics;
  private Redis redis;
  private Pool pool;
  private HttpServer server;

  public MetricsVerticle(BoltConfig config, BoltMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, 1);
    SaleStateReader reader = new SaleStateReader(redis, new ProductRepository(pool), Shards.of(config),
        config.redisTimeoutMs());
    ScrapeHandler scrape = new ScrapeHandler(metrics.prometheusRegistry(), reader,
        new SaleGauges(metrics.registry()));
    Router router = Router.router(vertx);
    router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(scrape);
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(config.metricsPort()).onSuccess(listening -> LOG.info("Metrics on port {} at /metrics",
        listening.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> Future.join(redis.close(), pool.close()));
  }
}
