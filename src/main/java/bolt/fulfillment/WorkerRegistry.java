package bolt.fulfillment;

import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One worker's entry in the workers set: heartbeats on the Redis clock, the claim that keeps a
 * worker id to one process, and the recovery of the jobs of workers that went silent
 * (docs/design.md: crash recovery).
 */
class WorkerRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);
  private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat");
  private static final LuaScript REAP = LuaScript.load("reap");
  private static final LuaScript RETIRE = LuaScript.load("retire");
  /** How long an expired worker with an empty list stays listed: see reap.lua. */
  private static final int FORGET_AFTER_TTLS = 3;
  /** A live worker beats at least this often, whatever the TTL (every take beats too). */
  private static final long MAX_BEAT_INTERVAL_MS = 1_000;
  /**
   * Missed beats after which another process may take the id over: far shorter than the TTL, so a
   * process restarted under its old id resumes at once, yet no live worker ever misses so many.
   */
  private static final int TAKEOVER_AFTER_BEATS = 3;

  /** A heartbeat's answer: {@code heldByOtherMs} >= 0 when another live process holds the id. */
  record Beat(boolean registered, long heldByOtherMs) {
    boolean refused() {
      return heldByOtherMs >= 0;
    }
  }

  /** Another process holds this worker id and keeps it alive. */
  static final class WorkerIdInUse extends RuntimeException {
    WorkerIdInUse(String workerId, long lastBeatMs) {
      super("worker id " + workerId + " is held by another live process (its last heartbeat " + lastBeatMs
          + " ms ago); give each process its own BOLT_WORKER_ID", null, false, false);
    }
  }

  private final Redis redis;
  private final Keys keys;
  private final String workerId;
  /** Tells this process's claim on the id from another process's claim on the same id. */
  private final String token;
  private final long ttlMs;
  private final long beatIntervalMs;
  private final long timeoutMs;

  WorkerRegistry(Redis redis, Keys keys, String workerId, long ttlMs, long timeoutMs) {
    this(redis, keys, workerId, UUID.randomUUID().toString(), ttlMs, timeoutMs);
  }

  /** @param token the process's claim on the id, the same in every shard the worker takes from */
  WorkerRegistry(Redis redis, Keys keys, String workerId, String token, long ttlMs, long timeoutMs) {
    this.redis = redis;
    this.keys = keys;
    this.workerId = workerId;
    this.token = token;
    this.ttlMs = ttlMs;
    this.beatIntervalMs = Math.min(ttlMs / 3, MAX_BEAT_INTERVAL_MS);
    this.timeoutMs = timeoutMs;
  }

  String workerId() {
    return workerId;
  }

  int shard() {
    return keys.shard();
  }

  /** How often the periodic heartbeat runs. */
  long beatIntervalMs() {
    return beatIntervalMs;
  }

  private long takeoverMs() {
    return TAKEOVER_AFTER_BEATS * beatIntervalMs;
  }

  Future<Beat> heartbeat() {
    return guard(HEARTBEAT.run(redis, heartbeatKeys(), heartbeatArgs())).map(this::beat);
  }

  /** The heartbeat as a request to pipeline in front of a blocking take; its reply goes to {@link #beat}. */
  Request heartbeatRequest() {
    return HEARTBEAT.eval(heartbeatKeys(), heartbeatArgs());
  }

  Beat beat(Response reply) {
    int status = reply.get(0).toInteger();
    if (status < 0) {
      return new Beat(false, reply.get(1).toLong());
    }
    return new Beat(status == 1, -1);
  }

  /**
   * Takes the worker id for this process before it takes any job. A holder that is dead (a restart
   * under the same id) misses its beats and is taken over within a few seconds; one that keeps
   * beating is a live duplicate, and the claim fails. When Redis does not answer the claim is left
   * to the first take.
   */
  Future<Void> claim(Vertx vertx) {
    long waitMs = takeoverMs() + timeoutMs;
    return claim(vertx, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs), waitMs, true);
  }

  private Future<Void> claim(Vertx vertx, long deadline, long waitMs, boolean first) {
    return heartbeat().transform(done -> {
      if (done.failed() || !done.result().refused()) {
        return Future.succeededFuture();
      }
      long heldFor = done.result().heldByOtherMs();
      if (System.nanoTime() > deadline) {
        return Future.failedFuture(new WorkerIdInUse(workerId, heldFor));
      }
      if (first) {
        LOG.warn("Worker id {} is held by another process (last heartbeat {} ms ago); waiting up to {} ms for it "
            + "to go silent", workerId, heldFor, waitMs);
      }
      return vertx.timer(Math.max(50, beatIntervalMs / 2)).compose(tick -> claim(vertx, deadline, waitMs, false));
    });
  }

  /** Requeues the jobs of every worker silent for longer than the TTL; returns {workers, jobs}. */
  Future<Response> reap() {
    return guard(redis.send(Request.cmd(Command.ZRANGE).arg(keys.workers()).arg(0).arg(-1))).compose(listed -> {
      List<String> scriptKeys = new ArrayList<>(List.of(keys.workers(), keys.workerOwners(), keys.queue()));
      List<Object> args = new ArrayList<>(List.of(ttlMs, FORGET_AFTER_TTLS * ttlMs));
      for (Response worker : listed) {
        scriptKeys.add(keys.processing(worker.toString()));
        args.add(worker.toString());
      }
      return guard(REAP.run(redis, scriptKeys, args));
    });
  }

  /** On a clean stop: leave the workers set if this worker's list is empty (else a reaper will recover it). */
  Future<Void> retire() {
    return guard(RETIRE.run(redis, List.of(keys.workers(), keys.workerOwners(), keys.processing(workerId)),
        List.of(workerId, token))).mapEmpty();
  }

  private List<String> heartbeatKeys() {
    return List.of(keys.workers(), keys.workerOwners());
  }

  private List<Object> heartbeatArgs() {
    return List.of(workerId, token, takeoverMs());
  }

  private <T> Future<T> guard(Future<T> call) {
    return Unavailable.guard("redis", timeoutMs, call);
  }
}
