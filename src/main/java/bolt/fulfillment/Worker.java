package bolt.fulfillment;

import bolt.infra.Unavailable;
import bolt.metrics.BoltMetrics;
import bolt.order.OrderJob;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The fulfillment loop: take a batch into this worker's processing list, write it in one transaction,
 * acknowledge it. A batch that fails for any reason stays in the list and is retried from there
 * (after a backoff) before anything new is taken, which is also how a restarted worker resumes.
 */
class Worker {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final long WRITE_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final Jobs queue;
  private final OrderWriter writer;
  private final int batchSize;
  private final long blockMs;
  private final int maxAttempts;
  private final Runnable afterCommit;
  private final BoltMetrics metrics;
  private final Consumer<WorkerRegistry.WorkerIdInUse> onIdInUse;
  /** Capped low: once a backend is back, the drain resumes within about half a second. */
  private final Backoff backoff = new Backoff(50, 500);
  private final Promise<Void> stopped = Promise.promise();
  /** Attempts per job that failed alone with a non-transient error; reset when the job leaves. */
  private final Map<String, Integer> attempts = new HashMap<>();
  private boolean stopping;
  private boolean leftoversFirst = true;
  private boolean oneAtATime;
  private boolean failedUnexpectedly;
  private long retryTimer = -1;

  /**
   * @param afterCommit runs between a batch's commit and its ack (fault injection; a no-op normally)
   * @param onIdInUse   runs when the worker stops because another live process holds its id
   */
  Worker(Vertx vertx, Jobs queue, OrderWriter writer, int batchSize, long blockMs, int maxAttempts,
         Runnable afterCommit, BoltMetrics metrics, Consumer<WorkerRegistry.WorkerIdInUse> onIdInUse) {
    this.vertx = vertx;
    this.queue = queue;
    this.writer = writer;
    this.batchSize = batchSize;
    this.blockMs = blockMs;
    this.maxAttempts = maxAttempts;
    this.afterCommit = afterCommit;
    this.metrics = metrics;
    this.onIdInUse = onIdInUse;
  }

  void start() {
    loop();
  }

  /** Stops taking work; completes once the batch in hand is written and acknowledged (or left for recovery). */
  Future<Void> stop() {
    stopping = true;
    if (retryTimer >= 0 && vertx.cancelTimer(retryTimer)) {
      retryTimer = -1;
      stopped.tryComplete();
    }
    return stopped.future();
  }

  private void loop() {
    if (stopping) {
      stopped.tryComplete();
      return;
    }
    nextBatch().compose(this::process).onComplete(done -> {
      if (done.succeeded()) {
        if (failedUnexpectedly) {
          LOG.atInfo().addKeyValue("workerId", queue.workerId()).log("Worker {} recovered", queue.workerId());
          failedUnexpectedly = false;
        }
        backoff.reset();
        loop();
      } else if (done.cause() instanceof WorkerRegistry.WorkerIdInUse inUse) {
        LOG.atError().addKeyValue("workerId", queue.workerId())
            .log("Worker {} stops: {}", queue.workerId(), inUse.getMessage());
        stopped.tryComplete();
        onIdInUse.accept(inUse);
      } else {
        leftoversFirst = true;
        long delay = backoff.nextDelayMs();
        // an outage is logged once per backend (Unavailable.guard); anything else is worth a stack trace
        if (!(done.cause() instanceof Unavailable) && !failedUnexpectedly) {
          failedUnexpectedly = true;
          LOG.atWarn().addKeyValue("workerId", queue.workerId()).setCause(done.cause())
              .log("Worker {} failing, retrying with backoff", queue.workerId());
        }
        retryTimer = vertx.setTimer(delay, id -> {
          retryTimer = -1;
          loop();
        });
      }
    });
  }

  private Future<List<String>> nextBatch() {
    if (!leftoversFirst) {
      return queue.take(batchSize, blockMs);
    }
    return queue.leftovers(oneAtATime ? 1 : batchSize).compose(jobs -> {
      if (!jobs.isEmpty()) {
        return Future.succeededFuture(jobs);
      }
      leftoversFirst = false;
      oneAtATime = false;
      return queue.take(batchSize, blockMs);
    });
  }

  private Future<Void> process(List<String> raw) {
    if (raw.isEmpty()) {
      return Future.succeededFuture();
    }
    List<OrderJob> jobs = new ArrayList<>(raw.size());
    List<Future<Boolean>> poisoned = new ArrayList<>();
    // one job twice in a batch would be confirmed twice by one transaction; take.lua prevents it,
    // and this keeps it so whatever the take
    for (String text : new LinkedHashSet<>(raw)) {
      try {
        jobs.add(OrderJob.parse(text));
      } catch (IllegalArgumentException e) {
        LOG.atError().addKeyValue("workerId", queue.workerId())
            .log("Worker {} dead-letters an unparseable job: {}", queue.workerId(), text);
        poisoned.add(deadLetter(text, null, "MALFORMED_JOB"));
      }
    }
    Future<Void> written = jobs.isEmpty() ? Future.succeededFuture() : writeAndAck(jobs);
    return Future.all(poisoned).compose(ignored -> written);
  }

  private Future<Void> writeAndAck(List<OrderJob> jobs) {
    // a commit that lands after this timeout is harmless: the jobs stay listed and are re-written as duplicates
    long start = System.nanoTime();
    return Unavailable.guard("postgres", WRITE_TIMEOUT_MS, writer.write(jobs))
        .onSuccess(result -> metrics.batchWritten(jobs.size(), System.nanoTime() - start))
        .recover(failure -> poison(jobs, failure))
        .compose(result -> result == null ? Future.succeededFuture() : settle(result));
  }

  private Future<Void> settle(BatchResult result) {
    afterCommit.run();
    List<OrderJob> written = result.written();
    countOutcomes(result);
    Future<?> acked = written.isEmpty() ? Future.succeededFuture()
        : queue.ack(result).onSuccess(reply -> metrics.driftCorrected(reply.get(1).toInteger()));
    return acked.compose(ignored -> Future.all(result.unknownProduct().stream()
            .map(job -> {
              LOG.atError().addKeyValue("workerId", queue.workerId()).addKeyValue("orderId", job.orderId())
                  .log("Worker {} dead-letters order {}: product {} is not in the database",
                      queue.workerId(), job.orderId(), job.productId());
              return deadLetter(job.json(), job, "UNKNOWN_PRODUCT");
            }).toList()))
        .<Void>mapEmpty()
        .onSuccess(ignored -> result.jobs().forEach(job -> attempts.remove(job.json())));
  }

  /**
   * A data error (SQLSTATE class 22 or 23) is the one failure a job can cause by itself: the batch is
   * retried a job at a time, and a job that still fails alone {@code maxAttempts} times is dead-lettered.
   * Every other failure (connection, timeout, server shutdown) is the environment's, and is retried.
   * Completes with null when the job was dead-lettered.
   */
  private Future<BatchResult> poison(List<OrderJob> jobs, Throwable failure) {
    PgException dataError = dataError(failure);
    if (dataError == null) {
      return Future.failedFuture(failure);
    }
    if (jobs.size() > 1) {
      oneAtATime = true;
      return Future.failedFuture(failure);
    }
    OrderJob job = jobs.get(0);
    int attempt = attempts.merge(job.json(), 1, Integer::sum);
    if (attempt < maxAttempts) {
      return Future.failedFuture(failure);
    }
    attempts.remove(job.json());
    String reason = "DB_ERROR " + dataError.getSqlState();
    LOG.atError().addKeyValue("workerId", queue.workerId()).addKeyValue("orderId", job.orderId())
        .log("Worker {} dead-letters order {} after {} attempts: {}", queue.workerId(), job.orderId(), attempt,
            dataError.getMessage());
    return deadLetter(job.json(), job, reason).map(moved -> null);
  }

  /** {@link WorkQueue#deadLetter}, counted when this call moved the job. */
  private Future<Boolean> deadLetter(String raw, OrderJob job, String reason) {
    return queue.deadLetter(raw, job, reason).onSuccess(moved -> {
      if (moved) {
        metrics.deadLettered(reason);
      }
    });
  }

  /** Orders this batch wrote as CONFIRMED or REJECTED (a redelivered one was counted when first written). */
  private void countOutcomes(BatchResult result) {
    int confirmed = 0;
    for (OrderJob job : result.jobs()) {
      if (result.plan().outcome(job) == BatchPlan.Outcome.CONFIRMED) {
        confirmed++;
      }
    }
    metrics.written(confirmed);
    result.plan().rejected().values().forEach(metrics::rejected);
  }

  /** The PostgreSQL data error (SQLSTATE class 22 or 23) behind a failure, or null. */
  private static PgException dataError(Throwable failure) {
    Throwable cause = failure instanceof Unavailable down ? down.getCause() : failure;
    return cause instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23")) ? pg : null;
  }
}
