package bolt.fulfillment;

import bolt.order.OrderJob;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A worker's jobs over every shard (docs/design.md: workers over shards). Each take polls the shards
 * without waiting, round robin from where the last one stopped, and returns the first shard's jobs it
 * finds; only after a whole round found nothing does it block, on the worker's home shard, for at most
 * the block timeout. So every shard is visited by every worker at least once per round, and a shard's
 * jobs wait at most one block timeout plus one round while any worker runs. A batch holds jobs of one
 * shard; its ack and dead letters go to that shard. A shard that fails (its master is failing over) is
 * skipped, and its processing list is read for leftovers once it answers again.
 */
final class ShardedQueue implements Jobs {

  private final List<WorkQueue> shards;
  private final int home;
  /** Shards whose processing list may hold jobs of this worker: all at start, and any that failed. */
  private final Set<Integer> unchecked = new LinkedHashSet<>();
  private int cursor;
  private int current;

  /** @param shards this worker's queue in each shard, indexed by shard */
  ShardedQueue(List<WorkQueue> shards, int home) {
    this.shards = List.copyOf(shards);
    this.home = home;
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
    Future<List<String>> first = unchecked.isEmpty() ? Future.succeededFuture(List.of())
        : leftovers(max, new ArrayList<>(unchecked));
    return first.compose(found -> !found.isEmpty() ? Future.succeededFuture(found)
        : round(max, 0, 0, null).compose(jobs -> jobs != null ? Future.succeededFuture(jobs) : block(max, blockMs)));
  }

  /**
   * Polls the next shard, and the ones after it until one has jobs; null when the whole round found
   * none. Fails only when no shard answered ({@code failure} is the last one's failure).
   */
  private Future<List<String>> round(int max, int tried, int answered, Throwable failure) {
    if (tried == shards.size()) {
      return answered == 0 ? Future.<List<String>>failedFuture(failure) : Future.<List<String>>succeededFuture(null);
    }
    int shard = cursor;
    cursor = (cursor + 1) % shards.size();
    return shards.get(shard).poll(max).transform(done -> {
      if (done.failed()) {
        if (done.cause() instanceof WorkerRegistry.WorkerIdInUse) {
          return Future.<List<String>>failedFuture(done.cause());
        }
        unchecked.add(shard);
        return round(max, tried + 1, answered, done.cause());
      }
      if (done.result().isEmpty()) {
        return round(max, tried + 1, answered + 1, failure);
      }
      current = shard;
      return Future.<List<String>>succeededFuture(done.result());
    });
  }

  private Future<List<String>> block(int max, long blockMs) {
    current = home;
    return shards.get(home).take(max, blockMs).onFailure(failure -> unchecked.add(home));
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
    return leftovers(max, all);
  }

  /**
   * The first of {@code candidates} whose processing list holds jobs; fails only when none answered.
   * A shard that answers empty is checked; one that fails stays unchecked.
   */
  private Future<List<String>> leftovers(int max, List<Integer> candidates) {
    List<Future<List<String>>> reads = candidates.stream().map(shard -> shards.get(shard).leftovers(max)).toList();
    return Future.join(reads).transform(ignored -> {
      int failed = 0;
      for (int i = 0; i < candidates.size(); i++) {
        int shard = candidates.get(i);
        Future<List<String>> read = reads.get(i);
        if (read.failed()) {
          unchecked.add(shard);
          failed++;
        } else if (read.result().isEmpty()) {
          unchecked.remove(shard);
        } else {
          current = shard;
          return Future.succeededFuture(read.result());
        }
      }
      return failed == candidates.size() ? reads.get(0) : Future.<List<String>>succeededFuture(List.of());
    });
  }

  @Override
  public Future<Response> ack(BatchResult result) {
    return shards.get(current).ack(result).onFailure(failure -> unchecked.add(current));
  }

  @Override
  public Future<Boolean> deadLetter(String raw, OrderJob job, String reason) {
    return shards.get(current).deadLetter(raw, job, reason);
  }

  /** The periodic heartbeat, in every shard; fails only when no shard took it. */
  Future<Void> heartbeat() {
    List<Future<Void>> beats = shards.stream().map(WorkQueue::heartbeat).toList();
    return Future.join(beats).transform(ignored -> beats.stream().anyMatch(Future::succeeded)
        ? Future.<Void>succeededFuture() : beats.get(0));
  }

  Future<Void> close() {
    return Future.join(shards.stream().map(WorkQueue::close).toList()).mapEmpty();
  }
}
