package bolt.console;

import bolt.metrics.BoltMetrics;
import bolt.metrics.SaleState;
import bolt.metrics.SaleStateReader;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Makes the console's snapshot: the sale's state (Redis, PostgreSQL), units sold, and this
 * process's rates per second since the previous snapshot. Rates come from the process's own meters
 * (orders this process accepted and refused, batches its workers wrote): with the roles in separate
 * processes each console shows its own process, and Prometheus the sum.
 */
final class SaleSnapshots {

  private final SaleStateReader reader;
  private final SoldUnits sold;
  private final BoltMetrics metrics;
  private final List<String> roles;
  private BoltMetrics.Totals previous;
  private long previousNanos;

  SaleSnapshots(SaleStateReader reader, SoldUnits sold, BoltMetrics metrics, List<String> roles) {
    this.reader = reader;
    this.sold = sold;
    this.metrics = metrics;
    this.roles = roles;
  }

  /** Never fails: what could not be read is shown as down or absent. */
  Future<JsonObject> next() {
    return reader.read().compose(state -> sold.current().map(units -> toJson(state, units, rates())));
  }

  /** Per second since the previous call; null the first time and when metrics are off. */
  private JsonObject rates() {
    BoltMetrics.Totals now = metrics.totals();
    long nanos = System.nanoTime();
    BoltMetrics.Totals before = previous;
    double seconds = (nanos - previousNanos) / 1e9;
    previous = now;
    previousNanos = nanos;
    if (before == null || !metrics.enabled() || seconds <= 0) {
      return null;
    }
    JsonObject refusedByReason = new JsonObject();
    now.refused().forEach((reason, count) -> refusedByReason.put(reason,
        perSecond(count - before.refused().getOrDefault(reason, 0L), seconds)));
    long deadLettered = sum(now.deadLettered()) - sum(before.deadLettered());
    long written = now.written() - before.written();
    long rejected = now.rejected() - before.rejected();
    return new JsonObject()
        .put("accepted", perSecond(now.accepted() - before.accepted(), seconds))
        .put("refused", perSecond(now.refusedTotal() - before.refusedTotal(), seconds))
        .put("refusedByReason", refusedByReason)
        .put("written", perSecond(written, seconds))
        .put("rejected", perSecond(rejected, seconds))
        .put("deadLettered", perSecond(deadLettered, seconds))
        .put("drained", perSecond(written + rejected + deadLettered, seconds));
  }

  private JsonObject toJson(SaleState state, Map<String, Long> soldUnits, JsonObject rates) {
    JsonArray products = new JsonArray();
    for (SaleState.ProductUnits units : state.products()) {
      products.add(units.product().toJson(state.at())
          .put("available", units.available())
          .put("inflight", units.inflight())
          .put("sold", soldUnits.getOrDefault(units.product().id(), 0L)));
    }
    boolean redisUp = state.redisUp();
    return new JsonObject()
        .put("at", state.at().toString())
        .put("roles", new JsonArray(roles))
        .put("metrics", metrics.enabled())
        .put("health", new JsonObject().put("redis", redisUp ? "UP" : "DOWN")
            .put("postgres", state.postgresUp() ? "UP" : "DOWN"))
        .put("rates", rates)
        .put("backlog", !redisUp ? null : new JsonObject().put("queued", state.queued())
            .put("processing", state.processing()).put("total", state.backlog()))
        .put("workers", redisUp ? state.workers() : null)
        .put("deadLetters", !redisUp ? null : new JsonObject().put("count", state.deadLetters())
            .put("recent", new JsonArray(state.recentDeadLetters())))
        .put("drift", redisUp ? state.drift() : null)
        .put("products", products);
  }

  private static double perSecond(long count, double seconds) {
    return Math.round(count / seconds * 10) / 10.0;
  }

  private static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
