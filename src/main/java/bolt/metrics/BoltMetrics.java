package bolt.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bolt's own meters, one set per process, shared by every verticle instance. Every meter is made
 * up front and kept in a field: counting on the hot path is one increment, never a lookup or a
 * registration, and no request can make a new label value. Prometheus names: dots become
 * underscores, counters end in {@code _total}, timers in {@code _seconds} (README: Metrics).
 */
public final class BoltMetrics {

  /** Why the reserve script (or the intake before it) refused an order: the {@code reason} label. */
  public enum Refusal {
    INSUFFICIENT_STOCK, UNKNOWN_PRODUCT, SALE_NOT_STARTED, SALE_ENDED, LIMIT_EXCEEDED, CUSTOMER_REQUIRED,
    IDEMPOTENCY_KEY_REUSED
  }

  /** Backends a 503 can name (Unavailable.backend()). */
  public static final List<String> BACKENDS = List.of("redis", "postgres");
  /** Why the batch transaction refused an order (BatchPlan's reasons). */
  public static final List<String> WRITE_REJECTIONS = List.of("INSUFFICIENT_STOCK", "LIMIT_EXCEEDED");
  /** Dead-letter reasons, without the SQLSTATE of a DB_ERROR (a label value per state would be unbounded). */
  public static final List<String> DEAD_LETTER_REASONS = List.of("MALFORMED_JOB", "UNKNOWN_PRODUCT", "DB_ERROR");

  private final MeterRegistry registry;
  private final boolean enabled;
  private final Counter accepted;
  private final Counter replayed;
  private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
  private final Map<String, Counter> unavailable = new LinkedHashMap<>();
  private final Timer reserve;
  private final DistributionSummary batchSize;
  private final Timer batchTransaction;
  private final Counter written;
  private final Map<String, Counter> rejected = new LinkedHashMap<>();
  private final Map<String, Counter> deadLettered = new LinkedHashMap<>();
  private final Counter driftCorrections;
  private final Counter refusedFromMemory;
  private final Counter reapedWorkers;
  private final Counter requeuedJobs;
  private final Counter consoleSnapshots;
  private final Counter replicationShort;

  private BoltMetrics(MeterRegistry registry, boolean enabled) {
    this.registry = registry;
    this.enabled = enabled;
    accepted = counter("bolt.orders.accepted", "Orders accepted (202): units reserved and the job queued");
    replayed = counter("bolt.orders.replayed",
        "Order requests answered with an earlier order's id (same Idempotency-Key)");
    for (Refusal reason : Refusal.values()) {
      refused.put(reason, counter("bolt.orders.refused", "Orders refused by the reserve script, by reason",
          "reason", reason.name()));
    }
    refusedFromMemory = counter("bolt.orders.refused.from.memory",
        "INSUFFICIENT_STOCK refusals answered from the process's sold-out memory, without Redis (counted in "
            + "bolt_orders_refused_total too)");
    for (String backend : BACKENDS) {
      unavailable.put(backend, counter("bolt.http.unavailable",
          "Requests answered 503 because a backend did not answer in time", "backend", backend));
    }
    // fixed buckets: a handful of series, where a percentile histogram would publish ~70 per timer
    reserve = Timer.builder("bolt.reserve")
        .description("Order intake: from the call of the reserve script to its decision, pool wait included")
        .serviceLevelObjectives(millis(0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500))
        .register(registry);
    batchSize = DistributionSummary.builder("bolt.batch.size").baseUnit("jobs")
        .description("Jobs per fulfillment batch")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
        .register(registry);
    batchTransaction = Timer.builder("bolt.batch.transaction")
        .description("One batch's PostgreSQL transaction: connection, begin, statements, commit")
        .serviceLevelObjectives(millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000))
        .register(registry);
    written = counter("bolt.orders.written",
        "Orders written to PostgreSQL as CONFIRMED (a redelivered order is not counted again)");
    WRITE_REJECTIONS.forEach(reason -> rejected.put(reason, counter("bolt.orders.rejected",
        "Orders written as REJECTED by the batch transaction, by reason", "reason", reason)));
    DEAD_LETTER_REASONS.forEach(reason -> deadLettered.put(reason, counter("bolt.orders.dead.lettered",
        "Jobs moved to the dead-letter list, by reason", "reason", reason)));
    driftCorrections = counter("bolt.drift.corrections",
        "Products whose Redis available was corrected to the DB stock by an ack");
    reapedWorkers = counter("bolt.reaper.workers", "Silent workers whose jobs this process's reaper requeued");
    requeuedJobs = counter("bolt.reaper.jobs", "Jobs this process's reaper moved back to the queue");
    replicationShort = counter("bolt.redis.wait.short",
        "Reservation calls that accepted orders whose WAIT (redis.waitReplicas) heard from fewer replicas than asked: "
            + "answered 202 all the same, and lost if their master dies before its replicas have them");
    consoleSnapshots = counter("bolt.console.snapshots",
        "Snapshots made for the operator consoles: one a second while any watches, whatever their number");
  }

  private Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  /** Meters kept in a Prometheus registry, scraped at /metrics. */
  public static BoltMetrics prometheus() {
    return new BoltMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
  }

  /** Meters that count nothing (metrics.enabled=false): the same calls, no registry behind them. */
  public static BoltMetrics off() {
    return new BoltMetrics(new CompositeMeterRegistry(), false);
  }

  public boolean enabled() {
    return enabled;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus registry, or null when metrics are off. */
  public PrometheusMeterRegistry prometheusRegistry() {
    return registry instanceof PrometheusMeterRegistry prometheus ? prometheus : null;
  }

  public void accepted() {
    accepted.increment();
  }

  public void replayed() {
    replayed.increment();
  }

  public void refused(Refusal reason) {
    refused.get(reason).increment();
  }

  /** A refusal the sold-out memory answered (after {@link #refused}). */
  public void refusedFromMemory() {
    refusedFromMemory.increment();
  }

  /** A WAIT after a reservation call heard from fewer replicas than redis.waitReplicas asks. */
  public void replicationShort() {
    replicationShort.increment();
  }

  /** A 503 naming {@code backend}; a backend Bolt does not know of is not counted (no new label values). */
  public void unavailable(String backend) {
    Counter counter = unavailable.get(backend);
    if (counter != null) {
      counter.increment();
    }
  }

  public void reserveTook(long nanos) {
    reserve.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A batch transaction that committed. */
  public void batchWritten(int jobs, long nanos) {
    batchSize.record(jobs);
    batchTransaction.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void written(int orders) {
    if (orders > 0) {
      written.increment(orders);
    }
  }

  public void rejected(String reason) {
    Counter counter = rejected.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }

  /** @param reason as dead_letter.lua records it; a DB_ERROR's SQLSTATE is left out of the label */
  public void deadLettered(String reason) {
    Counter counter = deadLettered.get(reason.startsWith("DB_ERROR") ? "DB_ERROR" : reason);
    if (counter != null) {
      counter.increment();
    }
  }

  public void driftCorrected(int products) {
    if (products > 0) {
      driftCorrections.increment(products);
    }
  }

  public void reaped(int workers, int jobs) {
    if (workers > 0) {
      reapedWorkers.increment(workers);
      requeuedJobs.increment(jobs);
    }
  }

  public void consoleSnapshotMade() {
    consoleSnapshots.increment();
  }

  /** The number of open console streams, read at scrape time. */
  public void consoleViewers(Supplier<Number> viewers) {
    Gauge.builder("bolt.console.viewers", viewers).description("Operator consoles watching this process")
        .register(registry);
  }

  /** Totals for the console's rates: what this process counted since it started. */
  public Totals totals() {
    Map<String, Long> refusals = new LinkedHashMap<>();
    refused.forEach((reason, counter) -> refusals.put(reason.name(), (long) counter.count()));
    Map<String, Long> deadLetters = new LinkedHashMap<>();
    deadLettered.forEach((reason, counter) -> deadLetters.put(reason, (long) counter.count()));
    return new Totals((long) accepted.count(), Collections.unmodifiableMap(refusals), (long) written.count(),
        (long) rejected.values().stream().mapToDouble(Counter::count).sum(), Collections.unmodifiableMap(deadLetters));
  }

  /** Cumulative counts of this process. */
  public record Totals(long accepted, Map<String, Long> refused, long written, long rejected,
                       Map<String, Long> deadLettered) {

    public long refusedTotal() {
      return refused.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static Duration[] millis(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos((long) (values[i] * 1_000_000));
    }
    return durations;
  }
}
