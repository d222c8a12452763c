package bolt.http;

import bolt.config.BoltConfig;
import bolt.order.OrderAdmin;
import bolt.order.OrderService;
import bolt.stock.ProductService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

/** The HTTP API's routes. */
public final class Api {

  static final long BODY_LIMIT = 16 * 1024;

  private Api() {
  }

  /** @param ready until it completes, every route but /health and /health/live answers 503 STARTING */
  public static Router router(Vertx vertx, BoltConfig config, Future<Void> ready, OrderService orders,
                              ProductService products, OrderAdmin orderAdmin, Redis redis, Pool pool) {
    OrderHandler orderHandler = new OrderHandler(orders);
    ProductHandler productHandler = new ProductHandler(products, orders);
    AdminOrderHandler adminOrders = new AdminOrderHandler(orderAdmin);
    HealthHandler health = new HealthHandler(redis, pool, config.redisTimeoutMs(), ready);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);

    Router router = Router.router(vertx);
    router.get("/health/live").handler(health::live);
    router.get("/health").handler(health::ready);
    router.route().handler(new StartupGate(ready));
    router.post("/order").handler(body).handler(orderHandler::place);
    router.get("/order/:id").handler(orderHandler::get);
    router.get("/products").handler(productHandler::list);
    router.get("/products/:id").handler(productHandler::get);

    router.route("/admin/*").handler(new AdminAuth(config.adminToken()));
    router.post("/admin/products").handler(body).handler(productHandler::create);
    router.patch("/admin/products/:id").handler(body).handler(productHandler::patch);
    router.post("/admin/products/:id/restock").handler(body).handler(productHandler::restock);
    router.get("/admin/orders").handler(productHandler::recentOrders);
    router.post("/admin/orders/:id/cancel").handler(adminOrders::cancel);
    router.post("/admin/orders/:id/pay").handler(adminOrders::pay);

    router.route().failureHandler(Errors::fail);
    Errors.install(router);
    return router;
  }
}
