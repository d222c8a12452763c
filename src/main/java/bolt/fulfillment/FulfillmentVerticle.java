package bolt.fulfillment;

import bolt.config.BoltConfig;
import bolt.infra.Clients;
import bolt.metrics.BoltMetrics;
import bolt.order.OrderStatusRepository;
import bolt.stock.Keys;
import bolt.stock.ProductRepository;
import bolt.stock.ProductDirectory;
import bolt.stock.ProductShards;
import bolt.stock.Shards;
import bolt.stock.StockChangeRepository;
import bolt.stock.StockLedger;
import bolt.stock.StockReturns;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fulfillment worker, deployed N times: its own processing list, its own blocking Redis
 * connection, a heartbeat, and a share of the reaping. Wiring only; the loop is {@link Worker}.
 */
public class FulfillmentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(FulfillmentVerticle.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final AtomicBoolean STOPPED_ONCE = new AtomicBoolean();
  private static final long STOP_TIMEOUT_MS = 15_000;

  private final BoltConfig config;
  private final BoltMetrics metrics;
  private Redis redis;
  private Pool pool;
  private final List<WorkerRegistry> registries = new ArrayList<>();
  private WorkerShards registration;
  private ShardedQueue queue;
  private Worker worker;
  private HoldSweeper sweeper;
  private long reapTimer = -1;

  public FulfillmentVerticle(BoltConfig config, BoltMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    int instance = INSTANCES.incrementAndGet();
    String workerId = config.workerId() + "-" + instance;
    long ttl = config.heartbeatTtlMs();
    Shards shards = Shards.of(config);
    redis = Clients.redis(vertx, config);
    pool = Clients.postgres(vertx, config, 2);
    String token = UUID.randomUUID().toString();
    int home = homeShard(config.workerId(), instance, shards.count());
    List<WorkQueue> queues = new ArrayList<>(shards.count());
    for (Keys keys : shards.all()) {
      WorkerRegistry entry = new WorkerRegistry(redis, keys, workerId, token, ttl, config.redisTimeoutMs());
      registries.add(entry);
      Redis blocking = keys.shard() == home ? Redis.createClient(vertx, Clients.redisOptions(config)) : null;
      queues.add(new WorkQueue(redis, blocking, keys, entry, config.redisTimeoutMs()));
    }
    queue = new ShardedQueue(queues, home);
    registration = new WorkerShards(vertx, registries, queue, () -> worker.stop());
    OrderWriter writer = new OrderWriter(pool, config.faultStopAfterLock() ? FulfillmentVerticle::stopOnce : () -> { });
    worker = new Worker(vertx, queue, writer, config.batchSize(), config.blockTimeoutMs(),
        config.maxAttempts(), config.faultHaltAfterCommit() ? FulfillmentVerticle::haltAfterCommit : () -> { },
        metrics, inUse -> registration.refused(inUse));
    StockLedger ledger = new StockLedger(redis, new ProductShards(shards, new ProductRepository(pool),
        ProductDirectory.of(vertx, config.keyPrefix())), config.redisTimeoutMs());
    sweeper = new HoldSweeper(vertx, new OrderStatusRepository(pool),
        new StockReturns(ledger, new StockChangeRepository(pool), config.redisTimeoutMs()), config.redisTimeoutMs(),
        config.faultHaltAfterExpiry() ? FulfillmentVerticle::haltAfterExpiry : () -> { });
    // the id in every shard or in none: a worker refused in one shard would stop while its beats kept
    // its lists in the others from ever being reaped
    return registration.claim().onSuccess(claimed -> {
      registration.startBeating();
      reapTimer = vertx.setPeriodic(ttl / 2, id -> registries.forEach(shard -> shard.reap().onSuccess(reaped -> {
        metrics.reaped(reaped.get(0).toInteger(), reaped.get(1).toInteger());
        if (reaped.get(0).toInteger() > 0) {
          LOG.atWarn().addKeyValue("workerId", workerId).log("Recovered {} jobs of {} silent workers (shard {})",
              reaped.get(1), reaped.get(0), shard.shard());
        }
      })));
      worker.start();
      sweeper.start();
      LOG.atInfo().addKeyValue("workerId", workerId)
          .log("Worker {} started (batch {}, heartbeat TTL {} ms)", workerId, config.batchSize(), ttl);
    });
  }

  /**
   * The shard this worker blocks on when every shard is empty: instances of a process take
   * consecutive shards, from a point that the worker id spreads across processes.
   */
  static int homeShard(String processWorkerId, int instance, int shards) {
    return (int) ((Shards.choose(processWorkerId, shards) + (long) instance) % shards);
  }

  private static void haltAfterCommit() {
    LOG.error("Fault injection: halting between commit and ack");
    Runtime.getRuntime().halt(137);
  }

  private static void haltAfterExpiry() {
    LOG.error("Fault injection: halting between an expiry's commit and its Redis step");
    Runtime.getRuntime().halt(137);
  }

  /**
   * Fault injection: the whole process stops (SIGSTOP) inside its first batch's transaction, holding
   * the product row locks, until someone sends SIGCONT; the event loop blocks here meanwhile.
   */
  private static void stopOnce() {
    if (STOPPED_ONCE.compareAndSet(false, true)) {
      LOG.error("Fault injection: stopping the process while holding product row locks");
      try {
        new ProcessBuilder("kill", "-STOP", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public Future<?> stop() {
    // a write stuck on an unreachable database must not hold the process: its jobs stay in the
    // processing list, and a reaper hands them to another worker
    // no heartbeat may land after the worker left the workers set
    registration.stopBeating();
    vertx.cancelTimer(reapTimer);
    return Future.join(worker.stop(), sweeper.stop(), registration.lastBeat())
        .timeout(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .otherwiseEmpty()
        .compose(done -> registration.retire().onFailure(failure -> LOG.warn("Worker {} could not leave the workers set "
            + "(a reaper will): {}", queue.workerId(), failure.getMessage())).otherwiseEmpty())
        .eventually(() -> Future.join(queue.close(), redis.close(), pool.close()))
        .onComplete(done -> LOG.atInfo().addKeyValue("workerId", queue.workerId())
            .log("Worker {} stopped", queue.workerId()));
  }
}
