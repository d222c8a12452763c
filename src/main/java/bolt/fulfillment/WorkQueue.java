package bolt.fulfillment;

import bolt.infra.Unavailable;
import bolt.order.OrderIds;
import bolt.order.OrderJob;
import bolt.order.OrderService;
import bolt.order.OrderView;
import bolt.stock.Keys;
import bolt.stock.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One worker's view of the Redis queue: take jobs into its own processing list, settle them after
 * commit, dead-letter poison. The worker's registration ({@link WorkerRegistry}) goes in front of
 * every take, in the same pipeline, so no job is ever taken by a worker the reapers cannot see.
 */
class WorkQueue implements Jobs {

  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  private static final LuaScript TAKE = LuaScript.load("take");
  private static final LuaScript ACK = LuaScript.load("ack");
  private static final LuaScript DEAD_LETTER = LuaScript.load("dead_letter");

  private final Redis redis;
  private final Redis blockingClient;
  private final Keys keys;
  private final WorkerRegistry registry;
  private final String processing;
  private final long timeoutMs;
  private RedisConnection blocking;
  private boolean everRegistered;
  /** Set once another live process turns out to hold this worker's id: nothing more is taken. */
  private WorkerRegistry.WorkerIdInUse idInUse;

  /**
   * @param redis          the shared pool, for short commands
   * @param blockingClient the client of this worker's own connection: BLMOVE must never hold a pooled one;
   *                       null for a shard this worker only polls (it never blocks there)
   */
  WorkQueue(Redis redis, Redis blockingClient, Keys keys, WorkerRegistry registry, long timeoutMs) {
    this.redis = redis;
    this.blockingClient = blockingClient;
    this.keys = keys;
    this.registry = registry;
    this.processing = keys.processing(registry.workerId());
    this.timeoutMs = timeoutMs;
  }

  @Override
  public String workerId() {
    return registry.workerId();
  }

  int shard() {
    return keys.shard();
  }

  /** Non-null once a shard refused this worker's id: another live process holds it. */
  WorkerRegistry.WorkerIdInUse idInUse() {
    return idInUse;
  }

  /**
   * Registers (heartbeat) and waits up to {@code blockMs} for one job, in one pipeline, then takes up
   * to {@code max - 1} more without waiting; oldest first. Fails with {@link WorkerRegistry.WorkerIdInUse}
   * once another live process holds this worker's id (a job the same pipeline moved is still returned).
   */
  @Override
  public Future<List<String>> take(int max, long blockMs) {
    if (idInUse != null) {
      return Future.failedFuture(idInUse);
    }
    Request blmove = Request.cmd(Command.BLMOVE).arg(keys.queue()).arg(processing).arg("RIGHT").arg("LEFT")
        .arg(blockMs / 1000.0);
    Future<List<Response>> taken = blockingConnection()
        .compose(conn -> conn.batch(List.of(registry.heartbeatRequest(), blmove)));
    return Unavailable.guard("redis", blockMs + timeoutMs, taken)
        .recover(failure -> dropBlockingConnection().transform(ignored -> Future.failedFuture(failure)))
        .compose(replies -> taken(replies, max));
  }

  /**
   * As {@link #take} without waiting (LMOVE instead of BLMOVE, on the shared client): a worker polls
   * the shards it does not block on this way (docs/design.md: workers over shards).
   */
  Future<List<String>> poll(int max) {
    if (idInUse != null) {
      return Future.failedFuture(idInUse);
    }
    Request lmove = Request.cmd(Command.LMOVE).arg(keys.queue()).arg(processing).arg("RIGHT").arg("LEFT");
    return guard(redis.batch(List.of(registry.heartbeatRequest(), lmove))).compose(replies -> taken(replies, max));
  }

  /** The replies of [heartbeat, a move of one job]: that job, and up to {@code max - 1} more. */
  private Future<List<String>> taken(List<Response> replies, int max) {
    registered(registry.beat(replies.get(0)));
    Response first = replies.get(1);
    if (first == null) {
      return idInUse == null ? Future.succeededFuture(List.of()) : Future.failedFuture(idInUse);
    }
    if (max == 1 || idInUse != null) {
      return Future.succeededFuture(List.of(first.toString()));
    }
    return more(first.toString(), max - 1).map(more -> {
      List<String> jobs = new ArrayList<>(more.size() + 1);
      jobs.add(first.toString());
      jobs.addAll(more);
      return jobs;
    });
  }

  /**
   * Up to {@code max} more jobs into this worker's list, without waiting, if {@code first} (the one
   * the blocking take moved) is still there: see take.lua.
   */
  Future<List<String>> more(String first, int max) {
    return guard(TAKE.run(redis, List.of(keys.queue(), processing), List.of(max, first))).map(reply -> {
      List<String> jobs = new ArrayList<>(reply.size());
      reply.forEach(job -> jobs.add(job.toString()));
      return jobs;
    });
  }

  /** The periodic heartbeat between takes. */
  Future<Void> heartbeat() {
    return registry.heartbeat().map(beat -> {
      registered(beat);
      return null;
    });
  }

  private void registered(WorkerRegistry.Beat beat) {
    if (beat.refused()) {
      if (idInUse == null) {
        idInUse = new WorkerRegistry.WorkerIdInUse(registry.workerId(), beat.heldByOtherMs());
      }
      return;
    }
    if (beat.registered() && everRegistered) {
      LOG.warn("Worker {} registered again: a reaper had given it up, or Redis lost the workers set", workerId());
    }
    everRegistered = true;
  }

  /** Up to {@code max} of the oldest jobs already in this worker's list (left over by a failure or a crash). */
  @Override
  public Future<List<String>> leftovers(int max) {
    return guard(redis.send(Request.cmd(Command.LRANGE).arg(processing).arg(-max).arg(-1))).map(reply -> {
      List<String> jobs = new ArrayList<>(reply.size());
      reply.forEach(job -> jobs.add(job.toString()));
      Collections.reverse(jobs);
      return jobs;
    });
  }

  /** Settles a committed batch's written jobs; returns {settled, corrected}. Keys and arguments: see ack.lua. */
  @Override
  public Future<Response> ack(BatchResult result) {
    List<OrderJob> jobs = result.written();
    Map<String, Integer> productIndex = new LinkedHashMap<>();
    jobs.forEach(job -> productIndex.putIfAbsent(job.productId(), productIndex.size() + 1));
    List<String> scriptKeys = new ArrayList<>(3 + 2 * productIndex.size());
    List<Object> args = new ArrayList<>(2 + 3 * productIndex.size() + 6 * jobs.size());
    scriptKeys.add(processing);
    scriptKeys.add(keys.drift());
    scriptKeys.add(keys.pending());
    args.add(productIndex.size());
    args.add(keys.unitsBack());
    productIndex.keySet().forEach(product -> {
      StockRow row = result.stockAfter().get(product);
      scriptKeys.add(keys.product(product));
      scriptKeys.add(keys.customerUnits(product));
      args.add(product);
      args.add(row.stock());
      args.add(row.version());
    });
    for (OrderJob job : jobs) {
      args.add(job.json());
      args.add(productIndex.get(job.productId()));
      args.add(job.quantity());
      args.add(result.plan().settlement(job).code);
      args.add(job.countedCustomer() == null ? "" : job.countedCustomer());
      args.add(OrderIds.pendingRecord(job.orderId()));
    }
    return guard(ACK.run(redis, scriptKeys, args));
  }

  /**
   * Moves a job to the dead-letter list with its reason, releases its units and marks the order
   * REJECTED; {@code job} is null when the raw text could not be parsed.
   */
  @Override
  public Future<Boolean> deadLetter(String raw, OrderJob job, String reason) {
    JsonObject entry = new JsonObject().put("job", raw).put("reason", reason).put("worker", workerId())
        .put("at", System.currentTimeMillis());
    List<String> scriptKeys = new ArrayList<>(List.of(processing, keys.deadLetters()));
    List<Object> args = new ArrayList<>(List.of(raw, entry.encode()));
    if (job != null) {
      scriptKeys.add(keys.product(job.productId()));
      scriptKeys.add(keys.deadLettered(job.orderId().toString()));
      scriptKeys.add(keys.customerUnits(job.productId()));
      scriptKeys.add(keys.pending());
      JsonObject rejected = new JsonObject(job.json()).put("status", OrderView.REJECTED).put("reason", reason);
      args.add(job.quantity());
      args.add(rejected.encode());
      args.add(OrderService.RETENTION_SECONDS * 7);
      args.add(job.countedCustomer() == null ? "" : job.countedCustomer());
      args.add(job.productId());
      args.add(keys.unitsBack());
      args.add(OrderIds.pendingRecord(job.orderId()));
    }
    return guard(DEAD_LETTER.run(redis, scriptKeys, args)).map(moved -> moved.toInteger() == 1);
  }

  Future<Void> close() {
    return dropBlockingConnection().eventually(() -> blockingClient == null ? Future.succeededFuture()
        : blockingClient.close());
  }

  private Future<RedisConnection> blockingConnection() {
    if (blocking != null) {
      return Future.succeededFuture(blocking);
    }
    return blockingClient.connect().timeout(timeoutMs, TimeUnit.MILLISECONDS).map(conn -> {
      blocking = conn;
      conn.exceptionHandler(error -> blocking = null);
      conn.endHandler(end -> blocking = null);
      return conn;
    });
  }

  private Future<Void> dropBlockingConnection() {
    RedisConnection conn = blocking;
    blocking = null;
    return conn == null ? Future.succeededFuture() : conn.close().otherwiseEmpty();
  }

  private <T> Future<T> guard(Future<T> call) {
    return Unavailable.guard("redis", timeoutMs, call);
  }

}
