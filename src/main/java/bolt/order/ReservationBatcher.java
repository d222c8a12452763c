package bolt.order;

import bolt.config.RedisTopology;
import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.LuaScript;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Coalesces the reservations of one event loop's turn into one call of reserve.lua (docs/design.md:
 * reserve). The first reservation of a turn schedules the call for the end of the turn, so a lone
 * request waits for nothing; those that arrive during the same turn join it, up to a bound in orders
 * and bytes. Each order keeps its own answer. Confined to one event loop: one per HTTP verticle.
 */
final class ReservationBatcher {

  private static final LuaScript RESERVE = LuaScript.load("reserve");
  static final int MAX_ORDERS = 64;
  static final int MAX_BYTES = 64 * 1024;
  /** Values per order in reserve.lua's flat answer: its verdict and two more. */
  static final int ANSWER_SIZE = 3;

  /**
   * One order's part of the call: its keys, its arguments, and the character that says which it
   * has ('-', 'c' customer, 'k' idempotency key, 'b' both: see reserve.lua).
   */
  record Order(List<String> keys, List<Object> args, char shape, int bytes) {
  }

  private record Waiting(Order order, Promise<List<Response>> answer) {
  }

  /** The loop's own context: a request runs on a duplicate of it, which unwraps to it. */
  private final ContextInternal context;
  private final Redis redis;
  private final Keys keys;
  private final long timeoutMs;
  private final Replication replication;
  private List<Waiting> turn = new ArrayList<>();
  private int bytes;
  /** The ids of the orders of the call being gathered: they share one pending record (OrderIds). */
  private OrderIds.Batch ids;

  ReservationBatcher(Vertx vertx, Redis redis, Keys keys, long timeoutMs, Replication replication) {
    this.context = ((ContextInternal) vertx.getOrCreateContext()).unwrap();
    this.redis = redis;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
    this.replication = replication;
  }

  /**
   * An id for an order about to be reserved: called on this batcher's loop, it is an id of the call
   * being gathered (which the order joins at once), so the call's orders share one pending record.
   * Elsewhere the id is a batch of its own; either way reserve.lua files each order under its id's
   * record, so an order that joins another call than its id's costs a record, never an answer.
   */
  UUID nextOrderId() {
    if (!onLoop()) {
      return OrderIds.next(keys.shard());
    }
    if (ids == null || turn.isEmpty()) {
      ids = OrderIds.batch(keys.shard());
    }
    return ids.next();
  }

  /** On this batcher's loop: its own context, or a request's duplicate of it. */
  private boolean onLoop() {
    return Vertx.currentContext() instanceof ContextInternal current && current.unwrap() == context;
  }

  /** The order's answer: its verdict and the values that come with it, from reserve.lua's reply. */
  Future<List<Response>> reserve(Order order) {
    Promise<List<Response>> answer = Promise.promise();
    if (onLoop()) {
      join(new Waiting(order, answer));
    } else {
      context.runOnContext(onLoop -> join(new Waiting(order, answer)));
    }
    return answer.future();
  }

  private void join(Waiting waiting) {
    turn.add(waiting);
    bytes += waiting.order().bytes();
    if (turn.size() == 1) {
      context.runOnContext(endOfTurn -> flush());
    }
    if (turn.size() >= MAX_ORDERS || bytes >= MAX_BYTES) {
      flush();
    }
  }

  private void flush() {
    if (turn.isEmpty()) {
      return;
    }
    List<Waiting> batch = turn;
    turn = new ArrayList<>();
    bytes = 0;
    List<String> scriptKeys = new ArrayList<>(3 + 3 * batch.size());
    List<Object> args = new ArrayList<>(2 + 3 * batch.size());
    StringBuilder flags = new StringBuilder(batch.size());
    for (Waiting waiting : batch) {
      flags.append(waiting.order().shape());
    }
    scriptKeys.add(keys.queue());
    scriptKeys.add(keys.synced());
    scriptKeys.add(keys.pending());
    args.add(OrderService.RETENTION_SECONDS);
    args.add(flags.toString());
    for (Waiting waiting : batch) {
      scriptKeys.addAll(waiting.order().keys());
      args.addAll(waiting.order().args());
    }
    Unavailable.guard("redis", timeoutMs, reserve(scriptKeys, args)).onComplete(done -> answer(batch, done));
  }

  private static void answer(List<Waiting> batch, AsyncResult<Response> done) {
    if (done.failed()) {
      batch.forEach(order -> order.answer().fail(done.cause()));
      return;
    }
    Response answers = done.result();
    if (answers.size() != ANSWER_SIZE * batch.size()) {
      // a script and a caller that disagree on the layout: no answer can be trusted
      IllegalStateException failure = new IllegalStateException(
          "reserve.lua gave " + answers.size() + " values for " + batch.size() + " orders");
      batch.forEach(order -> order.answer().fail(failure));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      int at = ANSWER_SIZE * i;
      batch.get(i).answer().complete(List.of(answers.get(at), answers.get(at + 1), answers.get(at + 2)));
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
    for (int at = 0; at < answers.size(); at += ANSWER_SIZE) {
      if (answers.get(at).toInteger() == 1) {
        return true;
      }
    }
    return false;
  }
}
