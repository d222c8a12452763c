package bolt.order;

import bolt.config.RedisTopology;
import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.LuaScript;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Coalesces reservations into calls of reserve.lua (docs/design.md: reserve). While no call of
 * this batcher is in flight, the first reservation of an event-loop turn schedules a call for the
 * end of the turn, so a lone request waits for nothing, and those that arrive during the same turn
 * join it. While a call is in flight, the reservations that arrive wait and go together, in one
 * call, when it returns (answered, failed or timed out alike), so under load a call carries what
 * arrived during the previous one's round trip rather than one turn's worth (when Redis is slower
 * than the loop, batches grow instead of calls piling up; with replicas waited for, nothing waits).
 * A call holds at most {@link #MAX_ORDERS} orders and about {@link #MAX_BYTES}; a full batch goes
 * at once, in flight or not. Orders are sent in arrival order, and each keeps its own answer.
 * Confined to one event loop: one per HTTP verticle (and shard).
 */
final class ReservationBatcher {

  private static final LuaScript RESERVE = LuaScript.load("reserve");
  static final int MAX_ORDERS = 64;
  static final int MAX_BYTES = 64 * 1024;
  /**
   * Calls of a batcher in flight beyond which a batch that is not full waits for one to return;
   * none waits when replicas are waited for (a WAIT may hold its call up to 100 ms).
   */
  static final int MAX_IN_FLIGHT = 1;
  /** Values in reserve.lua's flat answer per verdict (verdict included), indexed by verdict + 6. */
  private static final int[] ANSWER_SIZE = {2, 3, 2, 3, 1, 1, 2, 2, 2};

  /**
   * One order's part of the call: its keys, its four arguments (see reserve.lua), and whether it
   * carries an idempotency key (then its keys end with it).
   */
  record Order(List<String> keys, List<Object> args, boolean keyed, int bytes) {
  }

  private record Waiting(Order order, Promise<List<Response>> answer) {
  }

  private final Context context;
  private final Redis redis;
  private final Keys keys;
  private final long timeoutMs;
  private final Replication replication;
  private final int maxInFlight;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int waitingBytes;
  private int inFlight;
  private boolean scheduled;

  ReservationBatcher(Vertx vertx, Redis redis, Keys keys, long timeoutMs, Replication replication) {
    this.context = vertx.getOrCreateContext();
    this.redis = redis;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
    this.replication = replication;
    this.maxInFlight = replication.replicas() == 0 ? MAX_IN_FLIGHT : Integer.MAX_VALUE;
  }

  /** The order's answer: its verdict and the values that come with it, from reserve.lua's reply. */
  Future<List<Response>> reserve(Order order) {
    Promise<List<Response>> answer = Promise.promise();
    onLoop(() -> join(new Waiting(order, answer)));
    return answer.future();
  }

  private void onLoop(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(onLoop -> action.run());
    }
  }

  private void join(Waiting order) {
    waiting.add(order);
    waitingBytes += order.order().bytes();
    if (full()) {
      send();
    } else {
      endOfTurn();
    }
  }

  private boolean full() {
    return waiting.size() >= MAX_ORDERS || waitingBytes >= MAX_BYTES;
  }

  /** Sends what waits at the end of this turn, if no call is in flight then (or the batch is full). */
  private void endOfTurn() {
    if (!scheduled) {
      scheduled = true;
      context.runOnContext(endOfTurn -> {
        scheduled = false;
        while (!waiting.isEmpty() && (inFlight < maxInFlight || full())) {
          send();
        }
      });
    }
  }

  /** One call with the orders waiting longest: at most MAX_ORDERS, and MAX_BYTES passed by one order at most. */
  private void send() {
    List<Waiting> batch = new ArrayList<>(Math.min(waiting.size(), MAX_ORDERS));
    int bytes = 0;
    while (!waiting.isEmpty() && batch.size() < MAX_ORDERS && bytes < MAX_BYTES) {
      Waiting next = waiting.poll();
      batch.add(next);
      bytes += next.order().bytes();
    }
    waitingBytes -= bytes;
    List<String> scriptKeys = new ArrayList<>(3 + 3 * batch.size());
    List<Object> args = new ArrayList<>(2 + 4 * batch.size());
    StringBuilder flags = new StringBuilder(batch.size());
    scriptKeys.add(keys.queue());
    scriptKeys.add(keys.synced());
    scriptKeys.add(keys.pending());
    for (Waiting order : batch) {
      flags.append(order.order().keyed() ? 'k' : '-');
    }
    args.add(OrderService.RETENTION_SECONDS);
    args.add(flags.toString());
    for (Waiting order : batch) {
      scriptKeys.addAll(order.order().keys());
      args.addAll(order.order().args());
    }
    inFlight++;
    Unavailable.guard("redis", timeoutMs, reserve(scriptKeys, args)).onComplete(done -> onLoop(() -> {
      inFlight--;
      answer(batch, done);
      if (!waiting.isEmpty()) {
        // what arrived during the call goes now, with what else arrives in this turn
        endOfTurn();
      }
    }));
  }

  private static void answer(List<Waiting> batch, AsyncResult<Response> done) {
    if (done.failed()) {
      batch.forEach(order -> order.answer().fail(done.cause()));
      return;
    }
    Response answers = done.result();
    int at = 0;
    for (Waiting order : batch) {
      try {
        int size = ANSWER_SIZE[answers.get(at).toInteger() + 6];
        List<Response> answer = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          answer.add(answers.get(at + i));
        }
        at += size;
        order.answer().complete(answer);
      } catch (RuntimeException outOfStep) {
        // a script and a caller that disagree on the layout: no answer after this one can be trusted
        IllegalStateException failure = new IllegalStateException("reserve.lua answered out of step", outOfStep);
        batch.forEach(each -> each.answer().tryFail(failure));
        return;
      }
    }
  }

  /**
   * The script, followed, when replicas are waited for, by WAIT on the same connection: its answers
   * go out only once that many replicas have the writes, or the WAIT timed out (counted).
   */
  private Future<Response> reserve(List<String> scriptKeys, List<Object> args) {
    if (replication.replicas() == 0) {
      return RESERVE.run(redis, scriptKeys, args);
    }
    Request wait = Request.cmd(Command.WAIT).arg(replication.replicas()).arg(RedisTopology.WAIT_TIMEOUT_MS);
    return RESERVE.runThen(redis, scriptKeys, args, wait).map(replies -> {
      Response answers = replies.get(0);
      if (replies.get(1).toInteger() < replication.replicas() && accepted(answers)) {
        replication.shortWait().run();
      }
      return answers;
    });
  }

  private static boolean accepted(Response answers) {
    for (int at = 0; at < answers.size(); at += ANSWER_SIZE[answers.get(at).toInteger() + 6]) {
      if (answers.get(at).toInteger() == 1) {
        return true;
      }
    }
    return false;
  }
}
