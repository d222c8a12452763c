package bolt.order;

import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.ProductShards;
import bolt.stock.Shards;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Order intake (reserve.lua: every reservation of an event loop's turn in one atomic call, answered
 * from the process's sold-out memory while a product is known to have no unit left) and order lookup.
 */
public class OrderService {

  /** How long Redis remembers an accepted order (and an idempotency key): long enough for any outage. */
  public static final long RETENTION_SECONDS = 24 * 3600;
  /** Completed and immutable: one for every refusal from memory, of every loop. */
  private static final Future<Placement> REFUSED_FROM_MEMORY = Future.succeededFuture(Placement.Refused.FROM_MEMORY);

  private final Vertx vertx;
  private final Redis redis;
  private final ProductShards shards;
  private final OrderRepository orders;
  private final long timeoutMs;
  private final Runnable redisLost;
  /** One per shard: a call of reserve.lua touches one shard's keys only. */
  private final Map<Integer, ReservationBatcher> reservations = new ConcurrentHashMap<>();
  private final SoldOutMemory soldOut;
  private final Replication replication;

  /**
   * Built on the event loop it serves (its reservations are coalesced per turn of that loop).
   *
   * @param redisLost called when a reservation finds a Redis that holds no products: it asks for a resync now
   * @param soldOut   the process's memory of sold-out products, shared by its event loops
   */
  public OrderService(Vertx vertx, Redis redis, ProductShards shards, OrderRepository orders, long timeoutMs,
                      Runnable redisLost, SoldOutMemory soldOut, Replication replication) {
    this.vertx = vertx;
    this.redis = redis;
    this.shards = shards;
    this.orders = orders;
    this.timeoutMs = timeoutMs;
    this.redisLost = redisLost;
    this.soldOut = soldOut;
    this.replication = replication;
    reservations.put(0, new ReservationBatcher(vertx, redis, shards.shards().keys(0), timeoutMs, replication));
  }

  /** One shard's intake: for tests that drive one shard. */
  public OrderService(Vertx vertx, Redis redis, Keys keys, OrderRepository orders, long timeoutMs, Runnable redisLost,
                      SoldOutMemory soldOut) {
    this(vertx, redis, new ProductShards(Shards.single(keys), null), orders, timeoutMs, redisLost, soldOut,
        Replication.NONE);
  }

  /**
   * Reserves and queues the order, or says why not. A product this process saw sold out within its
   * memory's bound is refused without asking Redis (answer {@code available} 0); an order with an
   * idempotency key always asks, since it may be the retry of an accepted one.
   */
  public Future<Placement> place(String productId, int quantity, String customerId, String idempotencyKey) {
    if (idempotencyKey == null && soldOut.soldOut(productId)) {
      return REFUSED_FROM_MEMORY;
    }
    Future<Keys> shard = shards.keysOf(productId);
    if (!shard.isComplete()) {
      // a product this process has not met yet: its row says which shard holds it
      shard = Unavailable.guard("postgres", timeoutMs, shard);
    }
    return shard.compose(keys -> place(keys, productId, quantity, customerId, idempotencyKey));
  }

  private Future<Placement> place(Keys keys, String productId, int quantity, String customerId,
                                  String idempotencyKey) {
    ReservationBatcher batcher = batcher(keys);
    OrderJob job = OrderJob.create(batcher.nextOrderId(), productId, quantity, customerId, Instant.now());
    // only what the order has (reserve.lua): a customer brings its count key, a key its idempotency key
    List<String> orderKeys = new ArrayList<>(3);
    List<Object> args = new ArrayList<>(4);
    orderKeys.add(keys.product(productId));
    args.add(quantity);
    args.add(job.json());
    if (customerId != null) {
      orderKeys.add(keys.customerUnits(productId));
      args.add(customerId);
    }
    if (idempotencyKey != null) {
      orderKeys.add(keys.idempotency(customerId, idempotencyKey));
    }
    args.add(OrderIds.pendingRecord(job.orderId()));
    char shape = customerId == null ? (idempotencyKey == null ? '-' : 'k') : (idempotencyKey == null ? 'c' : 'b');
    int bytes = job.json().length() + 128;
    long sentAt = soldOut.now();
    return batcher.reserve(new ReservationBatcher.Order(orderKeys, args, shape, bytes))
        .compose(reply -> decide(reply, job))
        .onSuccess(placement -> remember(productId, placement, sentAt));
  }

  private ReservationBatcher batcher(Keys keys) {
    return reservations.computeIfAbsent(keys.shard(), shard -> new ReservationBatcher(vertx, redis, keys, timeoutMs,
        replication));
  }

  private void remember(String productId, Placement placement, long sentAt) {
    if (placement instanceof Placement.Accepted accepted) {
      if (!accepted.replayed()) {
        soldOut.seen(productId, accepted.available(), sentAt);
      }
    } else if (placement instanceof Placement.Refused refused) {
      soldOut.seen(productId, refused.available(), sentAt);
    } else {
      // refused for another reason (the sale ended, the product is gone, ...): "sold out" is no longer its answer
      soldOut.forget(productId);
    }
  }

  /** One order's answer: its verdict, then the values that verdict carries (see reserve.lua). */
  private Future<Placement> decide(List<Response> reply, OrderJob job) {
    int verdict = reply.get(0).toInteger();
    switch (verdict) {
      case 1:
        return Future.succeededFuture(
            new Placement.Accepted(job.orderId(), job.productId(), job.quantity(), reply.get(1).toLong(), false));
      case 0:
        return Future.succeededFuture(new Placement.Refused(reply.get(1).toLong(), false));
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
                    // an order leaves its pending record only after its commit, so a worker may
                    // have written it between the two reads: one more look before answering 404
                    : Unavailable.guard("postgres", timeoutMs, orders.find(orderId))),
            dbDown -> fromRedis(orderId).compose(found -> found.isPresent()
                ? Future.succeededFuture(found) : Future.failedFuture(dbDown)));
  }

  /**
   * Pending (its job in its pending record), or REJECTED when it was dead-lettered (its marker), in the
   * shard its id names. An id made before shards existed names one by chance a quarter of the time,
   * and every such order is in shard 0: a miss elsewhere looks there too.
   */
  private Future<Optional<OrderView>> fromRedis(UUID orderId) {
    int shard = OrderIds.shard(orderId, shards.shards().count());
    Future<Optional<OrderView>> found = fromRedis(orderId, shards.shards().keys(shard));
    return shard == 0 ? found : found.compose(view -> view.isPresent() ? Future.succeededFuture(view)
        : fromRedis(orderId, shards.shards().keys(0)));
  }

  private Future<Optional<OrderView>> fromRedis(UUID orderId, Keys keys) {
    String id = orderId.toString();
    Future<List<Response>> markers = redis.batch(List.of(
        Request.cmd(Command.HGET).arg(keys.pending()).arg(OrderIds.pendingRecord(orderId)),
        Request.cmd(Command.GET).arg(keys.deadLettered(id))));
    return Unavailable.guard("redis", timeoutMs, markers).map(replies -> {
      String job = replies.get(0) == null ? null : jobIn(replies.get(0).toString(), id);
      if (job != null) {
        return Optional.of(OrderView.pending(OrderJob.parse(job)));
      }
      if (replies.get(1) == null) {
        return Optional.empty();
      }
      JsonObject rejected = new JsonObject(replies.get(1).toString());
      return Optional.of(OrderView.pending(OrderJob.parse(replies.get(1).toString()))
          .withStatus(rejected.getString("status"), rejected.getString("reason")));
    });
  }

  /** The job of order {@code id} in a pending record (its batch's jobs, one per line), or null. */
  private static String jobIn(String record, String id) {
    int at = record.indexOf("\"orderId\":\"" + id + '"');
    if (at < 0) {
      return null;
    }
    int start = record.lastIndexOf('\n', at) + 1;
    int end = record.indexOf('\n', at);
    return record.substring(start, end < 0 ? record.length() : end);
  }

  public Future<List<OrderView>> recent(int limit) {
    return Unavailable.guard("postgres", timeoutMs, orders.recent(limit));
  }
}
