package bolt.http;

import bolt.order.OrderService;
import bolt.order.OrderView;
import bolt.stock.Product;
import bolt.stock.ProductService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.List;

/** Product reads and the admin API (create, restock, recent orders). */
final class ProductHandler {

  private final ProductService products;
  private final OrderService orders;

  ProductHandler(ProductService products, OrderService orders) {
    this.products = products;
    this.orders = orders;
  }

  void list(RoutingContext ctx) {
    products.list()
        .onSuccess(all -> ctx.json(new JsonArray(all.stream().map(Product::toJson).toList())))
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    String id = productId(ctx);
    products.get(id)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            Errors.send(ctx, new ApiError(404, "UNKNOWN_PRODUCT", "no product " + id));
          } else {
            ctx.json(found.get().toJson());
          }
        })
        .onFailure(ctx::fail);
  }

  void create(RoutingContext ctx) {
    JsonInput input = JsonInput.of(ctx);
    String id = input.requiredString("id", 64, OrderHandler.PRODUCT_ID_PATTERN);
    String name = input.requiredString("name", 200, null);
    int stock = input.requiredInt("stock", 0, 1_000_000_000);
    input.validate();
    products.create(id, name, stock)
        .onSuccess(created -> {
          if (created.isEmpty()) {
            Errors.send(ctx, new ApiError(409, "PRODUCT_EXISTS", "product " + id + " exists already"));
          } else {
            ctx.response().setStatusCode(201).putHeader("Location", "/products/" + id);
            ctx.json(created.get().toJson());
          }
        })
        .onFailure(failure -> ctx.fail(DataErrors.fromInput(failure)));
  }

  void restock(RoutingContext ctx) {
    String id = productId(ctx);
    JsonInput input = JsonInput.of(ctx);
    int quantity = input.requiredInt("quantity", 1, 1_000_000_000);
    input.validate();
    products.restock(id, quantity)
        .onSuccess(after -> {
          if (after.isEmpty()) {
            Errors.send(ctx, new ApiError(404, "UNKNOWN_PRODUCT", "no product " + id));
          } else {
            ctx.json(after.get().toJson());
          }
        })
        .onFailure(failure -> ctx.fail(restockFailure(id, quantity, failure)));
  }

  /**
   * The stock column is an integer: a restock that would take it past {@link Integer#MAX_VALUE} fails
   * in the UPDATE itself (22003), atomically with any concurrent restock, so that is where it is caught.
   */
  private static Throwable restockFailure(String id, int quantity, Throwable failure) {
    if (DataErrors.NUMERIC_VALUE_OUT_OF_RANGE.equals(DataErrors.sqlState(failure))) {
      return new ApiError(400, "STOCK_LIMIT", "restocking " + id + " by " + quantity + " would take its stock past "
          + Integer.MAX_VALUE + ", the most a product can hold", new JsonObject().put("limit", Integer.MAX_VALUE));
    }
    return DataErrors.fromInput(failure);
  }

  void recentOrders(RoutingContext ctx) {
    int limit = limit(queryParam(ctx, "limit"));
    orders.recent(limit)
        .onSuccess(list -> ctx.json(new JsonArray(list.stream().map(OrderView::toJson).toList())))
        .onFailure(ctx::fail);
  }

  /** A product id as POST /order accepts it; no product can have another (and PostgreSQL text cannot hold NUL). */
  private static String productId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || id.length() > 64 || !OrderHandler.PRODUCT_ID_PATTERN.matcher(id).matches()) {
      throw new ApiError(400, "INVALID_PRODUCT_ID",
          "a product id is 1 to 64 characters matching " + OrderHandler.PRODUCT_ID_PATTERN.pattern());
    }
    return id;
  }

  private static List<String> queryParam(RoutingContext ctx, String name) {
    try {
      return ctx.queryParam(name);
    } catch (HttpException e) {
      throw new ApiError(400, "INVALID_QUERY", "the query string is not valid percent-encoding");
    }
  }

  private static int limit(List<String> values) {
    if (values.isEmpty()) {
      return 50;
    }
    String text = values.get(0);
    if (text.matches("\\d{1,4}")) {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= 1000) {
        return limit;
      }
    }
    throw new ApiError(400, "INVALID_REQUEST", "limit must be an integer from 1 to 1000",
        new JsonObject().put("fields", new JsonObject().put("limit", "must be an integer from 1 to 1000")));
  }
}
