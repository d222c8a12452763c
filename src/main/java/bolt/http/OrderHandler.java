package bolt.http;

import bolt.metrics.BoltMetrics;
import bolt.metrics.BoltMetrics.Refusal;
import bolt.order.OrderService;
import bolt.order.OrderView;
import bolt.order.Placement;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.UUID;

/** POST /order and GET /order/{id}. */
final class OrderHandler {

  private static final int MAX_IDEMPOTENCY_KEY = 128;

  private final OrderService orders;
  private final BoltMetrics metrics;
  private final SoldOutRefusals soldOut = new SoldOutRefusals();

  OrderHandler(OrderService orders, BoltMetrics metrics) {
    this.orders = orders;
    this.metrics = metrics;
  }

  /**
   * POST /order with its body read: answers it, throws the {@link ApiError} of an invalid request,
   * or fails with what the failure handler answers. Served by {@link OrderIntake}, and by the router
   * for the requests the intake leaves to it.
   */
  Future<Void> place(HttpServerRequest request, Buffer body) {
    JsonInput input = JsonInput.parse(body);
    String productId = input.requiredProductId("productId");
    int quantity = input.requiredInt("quantity", 1, 1000);
    String customerId = input.optionalString("customerId", 64);
    input.validate();
    String idempotencyKey = idempotencyKey(request);
    long start = System.nanoTime();
    return orders.place(productId, quantity, customerId, idempotencyKey).map(placement -> {
      boolean remembered = placement instanceof Placement.Refused refused && refused.remembered();
      if (!remembered) {
        metrics.reserveTook(System.nanoTime() - start);
      }
      count(placement);
      answer(request, placement, productId, quantity);
      return null;
    });
  }

  /** One counter increment per order: the metrics of the hot path. */
  private void count(Placement placement) {
    if (placement instanceof Placement.Accepted accepted) {
      if (accepted.replayed()) {
        metrics.replayed();
      } else {
        metrics.accepted();
      }
    } else {
      metrics.refused(refusal(placement));
      if (placement instanceof Placement.Refused refused && refused.remembered()) {
        metrics.refusedFromMemory();
      }
    }
  }

  private static Refusal refusal(Placement placement) {
    if (placement instanceof Placement.Refused) {
      return Refusal.INSUFFICIENT_STOCK;
    } else if (placement instanceof Placement.UnknownProduct) {
      return Refusal.UNKNOWN_PRODUCT;
    } else if (placement instanceof Placement.KeyReused) {
      return Refusal.IDEMPOTENCY_KEY_REUSED;
    } else if (placement instanceof Placement.NotStarted) {
      return Refusal.SALE_NOT_STARTED;
    } else if (placement instanceof Placement.Ended) {
      return Refusal.SALE_ENDED;
    } else if (placement instanceof Placement.LimitExceeded) {
      return Refusal.LIMIT_EXCEEDED;
    }
    return Refusal.CUSTOMER_REQUIRED;
  }

  private void answer(HttpServerRequest request, Placement placement, String productId, int quantity) {
    if (placement instanceof Placement.Accepted accepted) {
      String id = accepted.orderId().toString();
      HttpServerResponse response = request.response().setStatusCode(202).putHeader("Location", "/order/" + id);
      if (accepted.replayed()) {
        response.putHeader("Idempotent-Replayed", "true");
      }
      response.putHeader(HttpHeaders.CONTENT_TYPE, Errors.JSON).end(new JsonObject()
          .put("orderId", id)
          .put("status", OrderView.PENDING)
          .put("productId", accepted.productId())
          .put("quantity", accepted.quantity())
          .put("available", accepted.available())
          .toBuffer());
    } else if (placement instanceof Placement.Refused refused && refused.remembered()) {
      Errors.send(request, 400, soldOut.refusal(productId, quantity));
    } else if (placement instanceof Placement.Refused refused) {
      Errors.send(request, insufficientStock(productId, quantity, refused.available()));
    } else if (placement instanceof Placement.UnknownProduct) {
      Errors.send(request, new ApiError(404, "UNKNOWN_PRODUCT", "no product " + productId));
    } else if (placement instanceof Placement.KeyReused reused) {
      Errors.send(request, new ApiError(422, "IDEMPOTENCY_KEY_REUSED",
          "this Idempotency-Key was used for a different order",
          new JsonObject().put("orderId", reused.orderId().toString())));
    } else {
      Errors.send(request, saleRuleRefusal(request, placement, productId));
    }
  }

  static ApiError insufficientStock(String productId, int quantity, long available) {
    return new ApiError(400, "INSUFFICIENT_STOCK", "only " + available + " left of " + productId + ", asked for " + quantity,
        new JsonObject().put("available", available).put("requested", quantity));
  }

  private static ApiError saleRuleRefusal(HttpServerRequest request, Placement placement, String productId) {
    if (placement instanceof Placement.NotStarted early) {
      long seconds = Math.max(1, (Duration.between(early.now(), early.startsAt()).toMillis() + 999) / 1000);
      request.response().putHeader("Retry-After", String.valueOf(seconds));
      return new ApiError(403, "SALE_NOT_STARTED", "the sale of " + productId + " starts at " + early.startsAt(),
          new JsonObject().put("startsAt", early.startsAt().toString()));
    }
    if (placement instanceof Placement.Ended ended) {
      return new ApiError(403, "SALE_ENDED", "the sale of " + productId + " ended at " + ended.endsAt(),
          new JsonObject().put("endsAt", ended.endsAt().toString()));
    }
    if (placement instanceof Placement.LimitExceeded over) {
      return new ApiError(409, "LIMIT_EXCEEDED", productId + " is limited to " + over.limit()
          + " units per customer, and this customer has " + over.bought(),
          new JsonObject().put("limit", over.limit()).put("bought", over.bought()));
    }
    Placement.CustomerRequired required = (Placement.CustomerRequired) placement;
    String problem = "is required: " + productId + " is limited to " + required.limit() + " units per customer";
    return new ApiError(400, "INVALID_REQUEST", "invalid fields: customerId",
        new JsonObject().put("fields", new JsonObject().put("customerId", problem)));
  }

  /** The request's Idempotency-Key header (null when absent); 400 when it is empty or too long. */
  static String idempotencyKey(HttpServerRequest request) {
    String key = request.getHeader("Idempotency-Key");
    if (key != null && (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY)) {
      throw new ApiError(400, "INVALID_REQUEST", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters",
          new JsonObject().put("fields", new JsonObject().put("Idempotency-Key",
              "must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters")));
    }
    return key;
  }

  void get(RoutingContext ctx) {
    UUID orderId = parseId(ctx.pathParam("id"));
    orders.find(orderId)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            Errors.send(ctx, ApiError.notFound("no order " + orderId));
          } else {
            ctx.json(found.get().toJson());
          }
        })
        .onFailure(ctx::fail);
  }

  static UUID parseId(String text) {
    try {
      if (text.length() == 36) {
        return UUID.fromString(text);
      }
    } catch (IllegalArgumentException e) {
      // fall through to the 400 below
    }
    throw new ApiError(400, "INVALID_ORDER_ID", "order id must be a UUID");
  }
}
