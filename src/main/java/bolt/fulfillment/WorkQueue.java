package bolt.fulfillment;

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

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One worker's view of the Redis queue: take jobs into its own processing list, settle them after
 * commit, dead-letter poison, heartbeat, and reap dead workers.
 */
class WorkQueue {

  private static final LuaScript TAKE = LuaScript.load("take");
  private static final LuaScript ACK = LuaScript.load("ack");
  private static final LuaScript DEAD_LETTER = LuaScript.load("dead_letter");
  private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat");
  private static final LuaScript REAP = LuaScript.load("reap");

  private final Redis redis;
  private final Redis blockingClient;
  private final Keys keys;
  private final String workerId;
  private final String processing;
  private final long timeoutMs;
  private RedisConnection blocking;
  /** False until a heartbeat lands, and again after one fails: see {@link #take}. */
  private boolean registered;

  /**
   * @param redis          the shared pool, for short commands
   * @param blockingClient the client of this worker's own connection: BLMOVE must never hold a pooled one
   */
  WorkQueue(Redis redis, Redis blockingClient, Keys keys, String workerId, long timeoutMs) {
    this.redis = redis;
    this.blockingClient = blockingClient;
    this.keys = keys;
    this.workerId = workerId;
    this.processing = keys.processing(workerId);
    this.timeoutMs = timeoutMs;
  }

  String workerId() {
    return workerId;
  }

  /** Waits up to {@code blockMs} for one job, then takes up to {@code max - 1} more without waiting; oldest first. */
  Future<List<String>> take(int max, long blockMs) {
    Request blmove = Request.cmd(Command.BLMOVE).arg(keys.queue()).arg(processing).arg("RIGHT").arg("LEFT")
        .arg(blockMs / 1000.0);
    // a worker holds jobs only while its heartbeat is on record, or a crash would strand them
    Future<Void> ready = registered ? Future.succeededFuture() : heartbeat();
    return ready.compose(beat -> blockingConnection())
        .compose(conn -> conn.send(blmove).timeout(blockMs + timeoutMs, TimeUnit.MILLISECONDS))
        .recover(failure -> dropBlockingConnection().transform(ignored -> Future.failedFuture(failure)))
        .compose(first -> {
          if (first == null) {
            return Future.succeededFuture(List.of());
          }
          if (max == 1) {
            return Future.succeededFuture(List.of(first.toString()));
          }
          return guard(TAKE.run(redis, List.of(keys.queue(), processing), List.of(max - 1))).map(more -> {
            List<String> jobs = new ArrayList<>(more.size() + 1);
            jobs.add(first.toString());
            more.forEach(job -> jobs.add(job.toString()));
            return jobs;
          });
        });
  }

  /** Up to {@code max} of the oldest jobs already in this worker's list (left over by a failure or a crash). */
  Future<List<String>> leftovers(int max) {
    return guard(redis.send(Request.cmd(Command.LRANGE).arg(processing).arg(-max).arg(-1))).map(reply -> {
      List<String> jobs = new ArrayList<>(reply.size());
      reply.forEach(job -> jobs.add(job.toString()));
      Collections.reverse(jobs);
      return jobs;
    });
  }

  /** Settles committed jobs; returns {settled, corrected}. Keys and arguments: see ack.lua. */
  Future<Response> ack(List<OrderJob> jobs, Map<String, StockRow> stockAfter) {
    Map<String, Integer> productIndex = new LinkedHashMap<>();
    jobs.forEach(job -> productIndex.putIfAbsent(job.productId(), productIndex.size() + 1));
    List<String> scriptKeys = new ArrayList<>(2 + productIndex.size() + jobs.size());
    List<Object> args = new ArrayList<>(1 + 2 * productIndex.size() + 3 * jobs.size());
    scriptKeys.add(processing);
    scriptKeys.add(keys.drift());
    args.add(productIndex.size());
    productIndex.keySet().forEach(product -> {
      StockRow row = stockAfter.get(product);
      scriptKeys.add(keys.product(product));
      args.add(row.stock());
      args.add(row.version());
    });
    for (OrderJob job : jobs) {
      scriptKeys.add(keys.order(job.orderId().toString()));
      args.add(job.json());
      args.add(productIndex.get(job.productId()));
      args.add(job.quantity());
    }
    return guard(ACK.run(redis, scriptKeys, args));
  }

  /**
   * Moves a job to the dead-letter list with its reason, releases its units and marks the order
   * REJECTED; {@code job} is null when the raw text could not be parsed.
   */
  Future<Boolean> deadLetter(String raw, OrderJob job, String reason) {
    JsonObject entry = new JsonObject().put("job", raw).put("reason", reason).put("worker", workerId)
        .put("at", System.currentTimeMillis());
    List<String> scriptKeys = new ArrayList<>(List.of(processing, keys.deadLetters()));
    List<Object> args = new ArrayList<>(List.of(raw, entry.encode()));
    if (job != null) {
      scriptKeys.add(keys.product(job.productId()));
      scriptKeys.add(keys.order(job.orderId().toString()));
      JsonObject rejected = new JsonObject(job.json()).put("status", OrderView.REJECTED).put("reason", reason);
      args.add(job.quantity());
      args.add(rejected.encode());
      args.add(OrderService.RETENTION_SECONDS * 7);
    }
    return guard(DEAD_LETTER.run(redis, scriptKeys, args)).map(moved -> moved.toInteger() == 1);
  }

  Future<Void> heartbeat() {
    return guard(HEARTBEAT.run(redis, List.of(keys.workers()), List.of(workerId)))
        .andThen(beat -> registered = beat.succeeded())
        .mapEmpty();
  }

  /** Requeues the jobs of every worker silent for longer than {@code ttlMs}; returns {workers, jobs}. */
  Future<Response> reap(long ttlMs) {
    return guard(REAP.run(redis, List.of(keys.workers(), keys.queue()), List.of(ttlMs, keys.processingPrefix())));
  }

  /** On a clean stop: leave the workers set if nothing is left in this worker's list (else a reaper will recover it). */
  Future<Void> retire() {
    return guard(redis.send(Request.cmd(Command.LLEN).arg(processing))).compose(len -> len.toLong() == 0
        ? guard(redis.send(Request.cmd(Command.ZREM).arg(keys.workers()).arg(workerId))).mapEmpty()
        : Future.succeededFuture());
  }

  Future<Void> close() {
    return dropBlockingConnection().eventually(blockingClient::close);
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
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

}
