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
import io.vertx.core.http.HttpServerOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

/** One event loop's HTTP server; deployed N times, all sharing the port. Wiring only. */
public class HttpVerticle extends VerticleBase {

  private final BoltConfig config;
  private Redis redis;
  private Pool pool;

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
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false))
        .requestHandler(Api.router(vertx, config, orders, products, redis, pool))
        .listen(config.httpPort());
  }

  @Override
  public Future<?> stop() {
    return Future.join(redis.close(), pool.close());
  }
}
