package bolt.http;

import bolt.config.BoltConfig;
import bolt.infra.Clients;
import bolt.order.OrderRepository;
import bolt.order.OrderService;
import bolt.stock.Keys;
import bolt.stock.ProductRepository;
import bolt.stock.ProductService;
import bolt.stock.StockLedger;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/** One event loop's HTTP server; deployed N times, all sharing the port. Wiring only. */
public class HttpVerticle extends VerticleBase {

  private static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final BoltConfig config;
  private Redis redis;
  private Pool pool;
  private HttpServer server;

  public HttpVerticle(BoltConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, config.pgPoolSize());
    Keys keys = new Keys(config.keyPrefix());
    long timeout = config.redisTimeoutMs();
    OrderService orders = new OrderService(redis, keys, new OrderRepository(pool), timeout);
    ProductService products = new ProductService(new ProductRepository(pool), new StockLedger(redis, keys, timeout), timeout);
    server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false))
        .requestHandler(Api.router(vertx, config, orders, products, redis, pool));
    return server.listen(config.httpPort());
  }

  @Override
  public Future<?> stop() {
    // stop taking requests and answer those in hand before the clients go: closing Redis under a
    // request whose reserve script was already sent answers 503 for an order that was accepted
    return server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)
        .eventually(() -> Future.join(redis.close(), pool.close()));
  }
}
