package bolt.http;

import bolt.order.OrderAdmin;
import bolt.order.StatusChange;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.function.Function;

/** POST /admin/orders/{id}/cancel and /pay: the calls of a payment service or an operator. */
final class AdminOrderHandler {

  private final OrderAdmin admin;

  AdminOrderHandler(OrderAdmin admin) {
    this.admin = admin;
  }

  void cancel(RoutingContext ctx) {
    answer(ctx, admin::cancel);
  }

  void pay(RoutingContext ctx) {
    answer(ctx, admin::pay);
  }

  private static void answer(RoutingContext ctx, Function<UUID, Future<StatusChange>> action) {
    UUID orderId = OrderHandler.parseId(ctx.pathParam("id"));
    action.apply(orderId).onSuccess(change -> {
      if (change instanceof StatusChange.Done done) {
        if (done.replayed()) {
          ctx.response().putHeader("Idempotent-Replayed", "true");
        }
        ctx.json(done.order().toJson());
      } else if (change instanceof StatusChange.Pending) {
        ctx.response().putHeader("Retry-After", "1");
        Errors.send(ctx, new ApiError(409, "ORDER_PENDING",
            "order " + orderId + " is accepted and not yet written; retry in a moment"));
      } else if (change instanceof StatusChange.Refused refused) {
        Errors.send(ctx, new ApiError(409, refused.code(),
            "order " + orderId + " is " + refused.order().status() + (refused.order().reason() == null ? ""
                : " (" + refused.order().reason() + ")"),
            new JsonObject().put("status", refused.order().status()).put("payBy",
                refused.order().payBy() == null ? null : refused.order().payBy().toString())));
      } else {
        Errors.send(ctx, ApiError.notFound("no order " + orderId));
      }
    }).onFailure(ctx::fail);
  }
}
