package bolt.fulfillment;

import bolt.order.OrderJob;
import bolt.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A worker's jobs over every shard (docs/design.md: workers over shards). Each take polls the shards
 * without waiting, round robin from where the last one stopped, and returns the first shard's jobs it
 * finds; only after a whole round found nothing does it block, on the worker's home shard, for at most
 * the block timeout. So every shard is visited by every worker at least once per round, and a shard's
 * jobs wait at most one block timeout plus one round while any worker runs. A batch holds jobs of one
 * shard; its ack and dead letters go to that shard. A shard that fails (its master is failing over) is
 * skipped: it cools down (1 s, doubling while it keeps failing, at most 8 s) during which no command
 * is sent to it, so a black-holed shard costs one timeout per cool-down rather than one per take, and
 * the other shards are drained meanwhile. Its processing list is read for leftovers once it answers again.
 */
final class ShardedQueue implements Jobs {

  /** How long a shard that failed is left alone, at first; doubled per failure in a row up to 8 times that. */
  static final long COOL_DOWN_MS = 1_000;
  private static final int MAX_COOL_DOWN_FACTOR = 8;

  private final List<WorkQueue> shards;
  private final int home;
  private final long coolDownMs;
  /** Per shard: System.nanoTime() before which it is not tried again (0: not cooling), and its failures in a row. */
  private final long[] coolUntil;
  private final int[] failuresInARow;
  /** Shards whose processing list may hold jobs of this worker: all at start, and any that failed. */
  private final Set<Integer> unchecked = new LinkedHashSet<>();
  private int cursor;
  private int current;

  /** @param shards this worker's queue in each shard, indexed by shard */
  ShardedQueue(List<WorkQueue> shards, int home) {
    this(shards, home, COOL_DOWN_MS);
  }

  /** @param coolDownMs how long a shard that failed is left alone, at first */
  ShardedQueue(List<WorkQueue> shards, int home, long coolDownMs) {
    this.shards = List.copyOf(shards);
    this.home = home;
    this.coolDownMs = coolDownMs;
    this.coolUntil = new long[shards.size()];
    this.failuresInARow = new int[shards.size()];
    this.cursor = home;
    this.current = home;
    for (int shard = 0; shard < shards.size(); shard++) {
      unchecked.add(shard);
    }
  }

  @Override
  public String workerId() {
    return shards.get(0).workerId();
  }

  /** The shard of the batch returned last. */
  int current() {
    return current;
  }

  @Override
  public Future<List<String>> take(int max, long blockMs) {
    if (shards.size() == 1) {
      return shards.get(0).take(max, blockMs);
    }
    // a shard whose leftovers cannot be read now stays unchecked and is skipped this time: it must not
    // hold up the other shards (docs/design.md: workers over shards)
    List<Integer> due = ready(unchecked);
    Future<List<String>> first = due.isEmpty() ? Future.succeededFuture(List.of())
        : leftovers(max, due).otherwise(List.of());
    return first.compose(found -> !found.isEmpty() ? Future.succeededFuture(found)
        : round(max, 0, 0, null).compose(jobs -> jobs != null ? Future.succeededFuture(jobs) : block(max, blockMs)));
  }

  /** True while the shard is left alone after a failure. */
  boolean coolingDown(int shard) {
    return coolUntil[shard] != 0 && System.nanoTime() - coolUntil[shard] < 0;
  }

  /** The shards of {@code candidates} that are not cooling down, in order. */
  private List<Integer> ready(Iterable<Integer> candidates) {
    List<Integer> ready = new ArrayList<>();
    for (int shard : candidates) {
      if (!coolingDown(shard)) {
        ready.add(shard);
      }
    }
    return ready;
  }

  /** A command to the shard failed: its processing list may hold jobs, and it is left alone for a while. */
  private void failed(int shard) {
    unchecked.add(shard);
    int factor = Math.min(1 << Math.min(failuresInARow[shard], 30), MAX_COOL_DOWN_FACTOR);
    failuresInARow[shard]++;
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(coolDownMs * factor);
    coolUntil[shard] = until == 0 ? 1 : until;
  }

  private void answered(int shard) {
    failuresInARow[shard] = 0;
    coolUntil[shard] = 0;
  }

  private static Unavailable cooling(String what) {
    return new Unavailable("redis", what + " cooling down after failures");
  }

  /**
   * Polls the next shard, and the ones after it until one has jobs, skipping the shards that cool
   * down and those whose leftovers are unread; null when the whole round found none. Fails only when
   * no shard answered ({@code failure} is the last one's failure).
   */
  private Future<List<String>> round(int max, int tried, int answered, Throwable failure) {
    if (tried == shards.size()) {
      return answered > 0 ? Future.<List<String>>succeededFuture(null)
          : Future.<List<String>>failedFuture(failure != null ? failure : cooling("every shard"));
    }
    int shard = cursor;
    cursor = (cursor + 1) % shards.size();
    if (coolingDown(shard)) {
      return round(max, tried + 1, answered, failure);
    }
    if (unchecked.contains(shard)) {
      // it came out of its cool-down during this take: its leftovers go before its new jobs, next take
      return round(max, tried + 1, answered + 1, failure);
    }
    return shards.get(shard).poll(max).transform(done -> {
      if (done.failed()) {
        if (done.cause() instanceof WorkerRegistry.WorkerIdInUse) {
          return Future.<List<String>>failedFuture(done.cause());
        }
        failed(shard);
        return round(max, tried + 1, answered, done.cause());
      }
      answered(shard);
      if (done.result().isEmpty()) {
        return round(max, tried + 1, answered + 1, failure);
      }
      current = shard;
      return Future.<List<String>>succeededFuture(done.result());
    });
  }

  /**
   * Waits on the home shard; while it cools down, fails at once instead (the worker backs off for at
   * most half a second and polls the other shards again); while its leftovers are unread, returns none
   * at once (the next take reads them).
   */
  private Future<List<String>> block(int max, long blockMs) {
    if (coolingDown(home)) {
      return Future.failedFuture(cooling("home shard " + home));
    }
    if (unchecked.contains(home)) {
      // its leftovers go before its new jobs: the next take reads them
      return Future.succeededFuture(List.of());
    }
    current = home;
    return shards.get(home).take(max, blockMs).andThen(done -> {
      if (done.succeeded()) {
        answered(home);
      } else if (!(done.cause() instanceof WorkerRegistry.WorkerIdInUse)) {
        failed(home);
      }
    });
  }

  @Override
  public Future<List<String>> leftovers(int max) {
    if (shards.size() == 1) {
      return shards.get(0).leftovers(max);
    }
    List<Integer> all = new ArrayList<>(shards.size());
    for (int shard = 0; shard < shards.size(); shard++) {
      all.add(shard);
    }
    List<Integer> due = ready(all);
    // a cooling shard stays unchecked: its list is read once it is tried again
    return due.isEmpty() ? Future.failedFuture(cooling("every shard")) : leftovers(max, due);
  }

  /**
   * The first of {@code candidates} whose processing list holds jobs; fails only when none answered.
   * A shard that answers empty is checked; one that fails stays unchecked, and cools down.
   */
  private Future<List<String>> leftovers(int max, List<Integer> candidates) {
    List<Future<List<String>>> reads = candidates.stream().map(shard -> shards.get(shard).leftovers(max)).toList();
    return Future.join(reads).transform(ignored -> {
      int failures = 0;
      for (int i = 0; i < candidates.size(); i++) {
        int shard = candidates.get(i);
        Future<List<String>> read = reads.get(i);
        if (read.failed()) {
          failed(shard);
          failures++;
        } else if (read.result().isEmpty()) {
          answered(shard);
          unchecked.remove(shard);
        } else {
          answered(shard);
          current = shard;
          return Future.succeededFuture(read.result());
        }
      }
      return failures == candidates.size() ? reads.get(0) : Future.<List<String>>succeededFuture(List.of());
    });
  }

  @Override
  public Future<Response> ack(BatchResult result) {
    int shard = current;
    return shards.get(shard).ack(result).onFailure(failure -> failed(shard));
  }

  @Override
  public Future<Boolean> deadLetter(String raw, OrderJob job, String reason) {
    return shards.get(current).deadLetter(raw, job, reason);
  }

  /**
   * The periodic heartbeat, in every shard; fails with {@link WorkerRegistry.WorkerIdInUse} once any
   * shard refused this worker's id, else only when no shard took it.
   */
  Future<Void> heartbeat() {
    List<Future<Void>> beats = shards.stream().map(WorkQueue::heartbeat).toList();
    return Future.join(beats).transform(ignored -> {
      for (WorkQueue shard : shards) {
        if (shard.idInUse() != null) {
          return Future.failedFuture(shard.idInUse());
        }
      }
      return beats.stream().anyMatch(Future::succeeded) ? Future.<Void>succeededFuture() : beats.get(0);
    });
  }

  Future<Void> close() {
    return Future.join(shards.stream().map(WorkQueue::close).toList()).mapEmpty();
  }
}
