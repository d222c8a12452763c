package bolt.http;

import bolt.config.BoltConfig;
import bolt.console.ConsoleStream;
import bolt.infra.Clients;
import bolt.metrics.BoltMetrics;
import bolt.order.OrderAdmin;
import bolt.order.OrderRepository;
import bolt.order.OrderService;
import bolt.order.OrderStatusRepository;
import bolt.order.Replication;
import bolt.order.SoldOutMemory;
import bolt.stock.ProductRepository;
import bolt.stock.ProductService;
import bolt.stock.ProductDirectory;
import bolt.stock.ProductShards;
import bolt.stock.RedisSync;
import bolt.stock.Shards;
import bolt.stock.StockChangeRepository;
import bolt.stock.StockLedger;
import bolt.stock.StockReturns;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/** One event loop's HTTP server; deployed N times, all sharing the port. Wiring only. */
public class HttpVerticle extends VerticleBase {

  private final BoltConfig config;
  private final Future<Void> ready;
  private final EdgeCounters counters;
  private final SoldOutMemory soldOut;
  private final BoltMetrics metrics;
  private Redis redis;
  private Pool pool;
  private HttpServer server;

  /**
   * @param ready    completes when this process's start-up work is done; until then requests get 503
   * @param counters the process's: every instance counts into the same ones
   * @param soldOut  the process's memory of sold-out products, shared by every instance
   * @param metrics  the process's meters, shared the same way
   */
  public HttpVerticle(BoltConfig config, Future<Void> ready, EdgeCounters counters, SoldOutMemory soldOut,
                      BoltMetrics metrics) {
    this.config = config;
    this.ready = ready;
    this.counters = counters;
    this.soldOut = soldOut;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, config.pgPoolSize());
    ProductShards shards = new ProductShards(Shards.of(config),
        new ProductRepository(pool), ProductDirectory.of(vertx, config.keyPrefix()));
    long timeout = config.redisTimeoutMs();
    OrderService orders = new OrderService(vertx, redis, shards, new OrderRepository(pool), timeout,
        () -> vertx.eventBus().send(RedisSync.RESYNC_ADDRESS, null), soldOut,
        new Replication(config.redis().waitReplicas(), metrics::replicationShort));
    StockLedger ledger = new StockLedger(redis, shards, timeout);
    StockChangeRepository changes = new StockChangeRepository(pool);
    StockReturns returns = new StockReturns(ledger, changes, timeout);
    ProductService products = new ProductService(new ProductRepository(pool), changes, ledger, returns, timeout);
    OrderAdmin admin = new OrderAdmin(new OrderStatusRepository(pool), orders, returns, timeout);
    ConnectionGuard connections = new ConnectionGuard(vertx, config.httpLimits(), counters);
    Handler<HttpServerRequest> api = Api.requests(vertx, config, ready,
        new Api.Services(orders, products, admin, redis, pool), connections, metrics, new ConsoleStream(vertx.eventBus()));
    CodecErrors codec = new CodecErrors(counters);
    // HTTP/1.x only: no h2c upgrade, so that every connection is one the guard understands. Strict thread
    // mode (experimental in Vert.x 5) writes responses straight to the channel instead of through a
    // queue other threads could use: every answer here is written on this verticle's event loop (its
    // clients, timers and consumers all run there), and a write from any other thread would throw
    server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false)
            .setHttp2ClearTextEnabled(false).setStrictThreadMode(true))
        .connectionHandler(connections::opened)
        .invalidRequestHandler(codec::malformedHead)
        .exceptionHandler(codec::connectionError)
        .requestHandler(request -> {
          connections.headArrived(request);
          if (request.version() == null) {
            codec.unsupportedVersion(request);
          } else {
            api.handle(request);
          }
        });
    return server.listen(config.httpPort());
  }

  /**
   * Stop taking requests and let those in progress finish before their clients close: closing Redis
   * under a running server answered 503 to requests whose reservation may already have been made.
   */
  @Override
  public Future<?> stop() {
    return server.shutdown(2 * config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
        .eventually(() -> Future.join(redis.close(), pool.close()));
  }
}
