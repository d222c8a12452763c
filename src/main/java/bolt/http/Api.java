package bolt.http;

import bolt.config.BoltConfig;
import bolt.console.ConsoleStream;
import bolt.metrics.BoltMetrics;
import bolt.order.OrderAdmin;
import bolt.order.OrderService;
import bolt.stock.ProductService;
import bolt.web.Pages;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The HTTP API's routes. */
public final class Api {

  static final long BODY_LIMIT = 16 * 1024;

  private Api() {
  }

  /** What the routes serve from: one event loop's services and clients. */
  public record Services(OrderService orders, ProductService products, OrderAdmin orderAdmin, Redis redis, Pool pool) {
  }

  /**
   * Every request of one event loop's server: POST /order by the {@link OrderIntake} when it takes
   * it, the rest by the router.
   *
   * @param ready until it completes, every route but /health, /health/live and the pages answers 503
   *              STARTING
   */
  static Handler<HttpServerRequest> requests(Vertx vertx, BoltConfig config, Future<Void> ready, Services services,
                                             ConnectionGuard connections, BoltMetrics metrics, ConsoleStream console) {
    EdgeCounters counters = connections.counters();
    OrderHandler orderHandler = new OrderHandler(services.orders(), metrics);
    BodyGate gate = new BodyGate(connections, config.httpLimits().bodyTimeoutMs(), counters);
    FailureHandler failures = new FailureHandler(counters, metrics);
    Router router = router(vertx, config, ready, services, orderHandler, gate, failures, console);
    OrderIntake intake = new OrderIntake(ready, gate, orderHandler, failures);
    return request -> {
      if (!intake.take(request)) {
        router.handle(request);
      }
    };
  }

  private static Router router(Vertx vertx, BoltConfig config, Future<Void> ready, Services services,
                               OrderHandler orderHandler, BodyGate gate, FailureHandler failures, ConsoleStream console) {
    ProductHandler productHandler = new ProductHandler(services.products(), services.orders());
    AdminOrderHandler adminOrders = new AdminOrderHandler(services.orderAdmin());
    HealthHandler health = new HealthHandler(services.redis(), services.pool(), config.redisTimeoutMs(), ready);
    // form attributes are never read: merging them parses the query string outside any handler
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT).setMergeFormAttributes(false);

    Router router = Router.router(vertx);
    router.route().handler(gate::checkFraming);
    readable(router, "/health/live").handler(health::live);
    readable(router, "/health").handler(health::ready);
    // the pages need no backend: while Bolt starts they load, and show the API's 503 STARTING
    Pages.mount(router);
    router.route().handler(new StartupGate(ready));
    withBody(router, HttpMethod.POST, OrderIntake.PATH, gate, body)
        .handler(ctx -> orderHandler.place(ctx.request(), ctx.body().buffer()).onFailure(ctx::fail));
    readable(router, "/order/:id").handler(orderHandler::get);
    readable(router, "/products").handler(productHandler::list);
    readable(router, "/products/:id").handler(productHandler::get);

    router.route("/admin/*").handler(new AdminAuth(config.adminToken()));
    withBody(router, HttpMethod.POST, "/admin/products", gate, body).handler(productHandler::create);
    withBody(router, HttpMethod.PATCH, "/admin/products/:id", gate, body).handler(productHandler::patch);
    withBody(router, HttpMethod.POST, "/admin/products/:id/restock", gate, body).handler(productHandler::restock);
    readable(router, "/admin/orders").handler(productHandler::recentOrders);
    readable(router, "/admin/stream").handler(console);
    router.post("/admin/orders/:id/cancel").handler(adminOrders::cancel);
    router.post("/admin/orders/:id/pay").handler(adminOrders::pay);
    allowOnlyRoutedMethods(router);

    router.route().failureHandler(failures);
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, ctx -> failures.handle(ctx, status));
    }
    return router;
  }

  /** What supports GET supports HEAD (HTTP); Vert.x sends the head of the GET answer without its body. */
  private static Route readable(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  /** A route whose body is read within the body timeout; the clock is a route of its own, as vertx-web wants body handlers first. */
  private static Route withBody(Router router, HttpMethod method, String path, BodyGate gate, BodyHandler body) {
    router.route(method, path).handler(gate::startClock);
    return router.route(method, path).handler(body).handler(gate::stopClock);
  }

  /**
   * A last route per path answering any other method with a JSON 405 and the Allow header HTTP
   * requires (vertx-web's own 405 has no JSON body, and its error handler cannot learn the methods).
   */
  private static void allowOnlyRoutedMethods(Router router) {
    Map<String, Set<String>> allowed = new TreeMap<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
        route.methods().forEach(method -> allowed.computeIfAbsent(route.getPath(), path -> new TreeSet<>())
            .add(method.name()));
      }
    }
    allowed.forEach((path, methods) -> router.route(path).handler(methodNotAllowed(String.join(", ", methods))));
  }

  private static Handler<RoutingContext> methodNotAllowed(String allow) {
    return ctx -> {
      ctx.response().putHeader("Allow", allow);
      throw new ApiError(405, "METHOD_NOT_ALLOWED",
          ctx.request().method() + " is not allowed on " + ctx.request().path() + "; use " + allow);
    };
  }
}
