package bolt.http;

import bolt.order.OrderService;
import bolt.order.OrderView;
import bolt.stock.ProductPatch;
import bolt.stock.Patched;
import bolt.stock.ProductService;
import bolt.stock.Restock;
import bolt.stock.SaleRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.List;

/** Product reads and the admin API (create, change, restock, recent orders). */
final class ProductHandler {

  private final ProductService products;
  private final OrderService orders;

  ProductHandler(ProductService products, OrderService orders) {
    this.products = products;
    this.orders = orders;
  }

  void list(RoutingContext ctx) {
    products.list()
        .onSuccess(listing -> ctx.json(new JsonArray(listing.products().stream()
            .map(product -> product.toJson(listing.now())).toList())))
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    String id = productId(ctx);
    products.get(id)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            Errors.send(ctx, unknownProduct(id));
          } else {
            ctx.json(found.get().products().get(0).toJson(found.get().now()));
          }
        })
        .onFailure(ctx::fail);
  }

  void create(RoutingContext ctx) {
    JsonInput input = JsonInput.of(ctx);
    String id = input.requiredProductId("id");
    String name = input.requiredString("name", 200);
    int stock = input.requiredInt("stock", 0, 1_000_000_000);
    SaleRules rules = SaleRuleFields.forCreate(input);
    input.validate();
    products.create(id, name, stock, rules)
        .onSuccess(created -> {
          if (created.isEmpty()) {
            Errors.send(ctx, new ApiError(409, "PRODUCT_EXISTS", "product " + id + " exists already"));
          } else {
            ctx.response().setStatusCode(201).putHeader("Location", "/products/" + id);
            ctx.json(created.get().toJson(null));
          }
        })
        .onFailure(failure -> ctx.fail(DataErrors.fromInput(failure)));
  }

  /** PATCH /admin/products/{id}: name and sale rules; every API process sees them from the next request. */
  void patch(RoutingContext ctx) {
    String id = productId(ctx);
    JsonInput input = JsonInput.of(ctx);
    ProductPatch patch = SaleRuleFields.forPatch(input);
    input.validate();
    products.patch(id, patch)
        .onSuccess(patched -> {
          if (patched instanceof Patched.Done done) {
            ctx.json(done.product().toJson(null));
          } else if (patched instanceof Patched.EndsBeforeStart) {
            Errors.send(ctx, new ApiError(400, "INVALID_REQUEST", "invalid fields: saleEndsAt",
                new JsonObject().put("fields", new JsonObject().put("saleEndsAt", "must be after saleStartsAt"))));
          } else {
            Errors.send(ctx, unknownProduct(id));
          }
        })
        .onFailure(failure -> ctx.fail(DataErrors.fromInput(failure)));
  }

  private static ApiError unknownProduct(String id) {
    return new ApiError(404, "UNKNOWN_PRODUCT", "no product " + id);
  }

  void restock(RoutingContext ctx) {
    String id = productId(ctx);
    JsonInput input = JsonInput.of(ctx);
    int quantity = input.requiredInt("quantity", 1, 1_000_000_000);
    input.validate();
    products.restock(id, quantity, OrderHandler.idempotencyKey(ctx.request()))
        .onSuccess(outcome -> answerRestock(ctx, id, quantity, outcome))
        .onFailure(failure -> ctx.fail(DataErrors.fromInput(failure)));
  }

  private static void answerRestock(RoutingContext ctx, String id, int quantity, Restock outcome) {
    if (outcome instanceof Restock.Done done) {
      if (done.replayed()) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
      }
      ctx.json(done.product().toJson(null).put("restockId", done.requestId()));
    } else if (outcome instanceof Restock.UnknownProduct) {
      Errors.send(ctx, unknownProduct(id));
    } else if (outcome instanceof Restock.OverLimit over) {
      Errors.send(ctx, new ApiError(400, "STOCK_LIMIT", "stock " + over.stock() + " + " + quantity
          + " would exceed the largest stock a product can hold, " + over.limit(),
          new JsonObject().put("limit", over.limit()).put("stock", over.stock()).put("requested", quantity)));
    } else if (outcome instanceof Restock.KeyReused reused) {
      Errors.send(ctx, new ApiError(422, "IDEMPOTENCY_KEY_REUSED",
          "this Idempotency-Key was used for a restock of " + reused.firstQuantity() + " units",
          new JsonObject().put("quantity", reused.firstQuantity())));
    }
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
    if (!ProductIds.valid(id)) {
      throw new ApiError(400, "INVALID_PRODUCT_ID",
          "a product id is 1 to " + ProductIds.MAX_LENGTH + " characters matching " + ProductIds.RULE);
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
