package bolt.fulfillment;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A worker's registration in every shard (docs/design.md: workers over shards): the claim on its id,
 * taken in every shard or in none; the periodic heartbeat to every shard; and what happens when a
 * shard says another live process holds the id: the heartbeat stops everywhere, so that the reapers
 * recover whatever this worker's lists still hold, and the worker leaves every shard it can.
 */
final class WorkerShards {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerShards.class);

  private final Vertx vertx;
  private final List<WorkerRegistry> registries;
  private final ShardedQueue queue;
  private final Runnable onRefused;
  private long timer = -1;
  private boolean refused;
  /** The latest periodic heartbeat: a clean stop retires only once it has landed. */
  private Future<Void> lastBeat = Future.succeededFuture();

  /** @param onRefused runs once, when a shard refuses this worker's id (the worker must stop taking) */
  WorkerShards(Vertx vertx, List<WorkerRegistry> registries, ShardedQueue queue, Runnable onRefused) {
    this.vertx = vertx;
    this.registries = List.copyOf(registries);
    this.queue = queue;
    this.onRefused = onRefused;
  }

  /**
   * Claims the id in every shard, each waiting as {@link WorkerRegistry#claim} does. Fails with
   * {@link WorkerRegistry.WorkerIdInUse} when any shard refuses, after leaving the shards that accepted:
   * never registered in some shards only.
   */
  Future<Void> claim() {
    List<Future<Void>> claims = registries.stream().map(registry -> registry.claim(vertx)).toList();
    return Future.join(claims).transform(ignored -> {
      Throwable refusal = claims.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(null);
      return refusal == null ? Future.<Void>succeededFuture()
          : retire().otherwiseEmpty().transform(left -> Future.<Void>failedFuture(refusal));
    });
  }

  /** Starts the periodic heartbeat to every shard. */
  void startBeating() {
    if (!refused) {
      timer = vertx.setPeriodic(registries.get(0).beatIntervalMs(), id -> beat());
    }
  }

  private void beat() {
    lastBeat = queue.heartbeat().onFailure(failure -> {
      if (failure instanceof WorkerRegistry.WorkerIdInUse inUse) {
        refused(inUse);
      }
    });
  }

  /**
   * A shard refused the id (to a heartbeat or a take): stop beating everywhere and leave every shard
   * whose list is empty; a list that holds jobs is recovered by a reaper once the registration expires.
   */
  void refused(WorkerRegistry.WorkerIdInUse inUse) {
    if (refused) {
      return;
    }
    refused = true;
    stopBeating();
    LOG.atError().addKeyValue("workerId", queue.workerId()).log("Worker {} stops beating in every shard: {}",
        queue.workerId(), inUse.getMessage());
    retire().onFailure(failure -> LOG.warn("Worker {} could not leave the workers sets (reapers will): {}",
        queue.workerId(), failure.getMessage()));
    onRefused.run();
  }

  boolean isRefused() {
    return refused;
  }

  void stopBeating() {
    vertx.cancelTimer(timer);
    timer = -1;
  }

  Future<Void> lastBeat() {
    return lastBeat;
  }

  /** Leaves the workers set of every shard (each only if this worker's list there is empty and the id its own). */
  Future<Void> retire() {
    return Future.all(registries.stream().map(WorkerRegistry::retire).toList()).mapEmpty();
  }
}
