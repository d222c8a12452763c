package bolt.order;

import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Order intake (one atomic reserve script per order) and order lookup. */
public class OrderService {

  private static final LuaScript RESERVE = LuaScript.load("reserve");
  /** How long Redis remembers an accepted order (and an idempotency key): long enough for any outage. */
  public static final long RETENTION_SECONDS = 24 * 3600;

  private final Redis redis;
  private final Keys keys;
  private final OrderRepository orders;
  private final long timeoutMs;
  private final Runnable redisLost;

  /** @param redisLost called when a reservation finds a Redis that holds no products: it asks for a resync now */
  public OrderService(Redis redis, Keys keys, OrderRepository orders, long timeoutMs, Runnable redisLost) {
    this.redis = redis;
    this.keys = keys;
    this.orders = orders;
    this.timeoutMs = timeoutMs;
    this.redisLost = redisLost;
  }

  public Future<Placement> place(String productId, int quantity, String customerId, String idempotencyKey) {
    OrderJob job = OrderJob.create(OrderIds.next(), productId, quantity, customerId, Instant.now());
    List<String> scriptKeys = new ArrayList<>(6);
    scriptKeys.add(keys.product(productId));
    scriptKeys.add(keys.queue());
    scriptKeys.add(keys.order(job.orderId().toString()));
    scriptKeys.add(keys.synced());
    scriptKeys.add(keys.customerUnits(productId));
    if (idempotencyKey != null) {
      scriptKeys.add(keys.idempotency(customerId, idempotencyKey));
    }
    List<Object> args = List.of(quantity, job.json(), RETENTION_SECONDS, RETENTION_SECONDS,
        customerId == null ? "" : customerId);
    return Unavailable.guard("redis", timeoutMs, RESERVE.run(redis, scriptKeys, args))
        .compose(reply -> decide(reply, job));
  }

  private Future<Placement> decide(Response reply, OrderJob job) {
    int verdict = reply.get(0).toInteger();
    switch (verdict) {
      case 1:
        return Future.succeededFuture(
            new Placement.Accepted(job.orderId(), job.productId(), job.quantity(), reply.get(1).toLong(), false));
      case 0:
        return Future.succeededFuture(new Placement.Refused(reply.get(1).toLong()));
      case -1:
        return Future.succeededFuture(new Placement.UnknownProduct());
      case -2:
        redisLost.run();
        return Future.failedFuture(new Unavailable("redis", "it holds no products yet; they are being rebuilt"));
      case -3:
        return Future.succeededFuture(new Placement.NotStarted(Instant.ofEpochMilli(reply.get(1).toLong()),
            Instant.ofEpochMilli(reply.get(2).toLong())));
      case -4:
        return Future.succeededFuture(new Placement.Ended(Instant.ofEpochMilli(reply.get(1).toLong())));
      case -5:
        return Future.succeededFuture(new Placement.LimitExceeded(reply.get(1).toInteger(), reply.get(2).toInteger()));
      case -6:
        return Future.succeededFuture(new Placement.CustomerRequired(reply.get(1).toInteger()));
      default:
        String stored = reply.get(1).toString();
        int colon = stored.indexOf(':');
        OrderJob first = OrderJob.parse(stored.substring(colon + 1));
        if (!first.productId().equals(job.productId()) || first.quantity() != job.quantity()) {
          return Future.succeededFuture(new Placement.KeyReused(first.orderId()));
        }
        return Future.succeededFuture(new Placement.Accepted(first.orderId(), first.productId(), first.quantity(),
            Long.parseLong(stored.substring(0, colon)), true));
    }
  }

  /**
   * The DB is the truth for written orders; an order not written yet is PENDING (or REJECTED, if it
   * was dead-lettered) in Redis. When PostgreSQL is down, Redis still answers for pending orders.
   */
  public Future<Optional<OrderView>> find(UUID orderId) {
    return Unavailable.guard("postgres", timeoutMs, orders.find(orderId))
        .compose(found -> found.isPresent() ? Future.succeededFuture(found) : fromRedis(orderId)
                .compose(pending -> pending.isPresent() ? Future.succeededFuture(pending)
                    // the marker is deleted only after the order's commit, so a worker may have
                    // written the order between the two reads: one more look before answering 404
                    : Unavailable.guard("postgres", timeoutMs, orders.find(orderId))),
            dbDown -> fromRedis(orderId).compose(found -> found.isPresent()
                ? Future.succeededFuture(found) : Future.failedFuture(dbDown)));
  }

  private Future<Optional<OrderView>> fromRedis(UUID orderId) {
    Future<Response> marker = redis.send(Request.cmd(Command.GET).arg(keys.order(orderId.toString())));
    return Unavailable.guard("redis", timeoutMs, marker).map(reply -> {
      if (reply == null) {
        return Optional.empty();
      }
      JsonObject stored = new JsonObject(reply.toString());
      OrderView pending = OrderView.pending(OrderJob.parse(reply.toString()));
      String status = stored.getString("status", OrderView.PENDING);
      return Optional.of(status.equals(OrderView.PENDING) ? pending
          : pending.withStatus(status, stored.getString("reason")));
    });
  }

  public Future<List<OrderView>> recent(int limit) {
    return Unavailable.guard("postgres", timeoutMs, orders.recent(limit));
  }
}
