package bolt.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashSet;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of the sale's state, set from a {@link SaleState} read just before each scrape: queue,
 * processing lists, workers, dead letters, and per product the DB stock and Redis's available and
 * in-flight units. A product gets its {@code product} label once it is in the database, so only
 * an admin creating a product adds label values, never a buyer. A value that could not be read is
 * NaN, not the last one seen: a stale number would look like a stuck sale.
 */
final class SaleGauges {

  private final MeterRegistry registry;
  /** Product ids whose gauges exist; products are never deleted, so neither are their gauges. */
  private final Set<String> products = new HashSet<>();
  private volatile SaleState state;

  SaleGauges(MeterRegistry registry) {
    this.registry = registry;
    redisGauge("bolt.queue.jobs", "Jobs accepted and waiting in the queue", SaleState::queued);
    redisGauge("bolt.processing.jobs", "Jobs taken by a worker and not yet acknowledged", SaleState::processing);
    redisGauge("bolt.workers", "Workers in the workers set (live, or silent and not yet reaped)", SaleState::workers);
    redisGauge("bolt.dead.letters", "Jobs in the dead-letter list", SaleState::deadLetters);
    Gauge.builder("bolt.backend.up", this, gauges -> up(gauges.state, true)).tag("backend", "redis")
        .description("Whether the backend answered the reads of the last scrape").register(registry);
    Gauge.builder("bolt.backend.up", this, gauges -> up(gauges.state, false)).tag("backend", "postgres")
        .description("Whether the backend answered the reads of the last scrape").register(registry);
  }

  /** Called on the metrics verticle's event loop only, before each scrape. */
  void update(SaleState read) {
    state = read;
    for (SaleState.ProductUnits units : read.products()) {
      String id = units.product().id();
      if (products.add(id)) {
        productGauge(id, "bolt.product.stock", "Units in stock in PostgreSQL", unit -> unit.product().stock());
        productGauge(id, "bolt.product.available", "Units Redis can still sell", unit -> orNaN(unit.available()));
        productGauge(id, "bolt.product.inflight", "Units reserved and not yet written", unit -> orNaN(unit.inflight()));
      }
    }
  }

  private void redisGauge(String name, String description, ToDoubleFunction<SaleState> value) {
    Gauge.builder(name, this, gauges -> {
      SaleState read = gauges.state;
      return read == null || !read.redisUp() ? Double.NaN : value.applyAsDouble(read);
    }).description(description).register(registry);
  }

  private void productGauge(String id, String name, String description, ToDoubleFunction<SaleState.ProductUnits> value) {
    Gauge.builder(name, this, gauges -> {
      SaleState read = gauges.state;
      if (read == null) {
        return Double.NaN;
      }
      return read.products().stream().filter(units -> units.product().id().equals(id)).findFirst()
          .map(value::applyAsDouble).orElse(Double.NaN);
    }).tag("product", id).description(description).register(registry);
  }

  private static double up(SaleState read, boolean redis) {
    if (read == null) {
      return Double.NaN;
    }
    return (redis ? read.redisUp() : read.postgresUp()) ? 1 : 0;
  }

  private static double orNaN(Long value) {
    return value == null ? Double.NaN : value;
  }
}
