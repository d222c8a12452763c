package bolt.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.Set;
import java.util.UUID;

/** The process's Vertx, reporting its own metrics (HTTP server, pools, clients, JVM) into Bolt's registry. */
public final class VertxWithMetrics {

  private VertxWithMetrics() {
  }

  /** A Vertx whose metrics go to {@code metrics}' registry; a plain one when metrics are off. */
  public static Vertx create(BoltMetrics metrics) {
    if (!metrics.enabled()) {
      return Vertx.vertx();
    }
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        // byte counts of every Redis and PostgreSQL read and write, and counts of every event-bus
        // message: a cost on each order for numbers no one watches a sale by (the pools' and the Redis
        // and SQL clients' own meters stay; the HTTP server's are HttpServerMeters)
        .setDisabledMetricsCategories(Set.of(MetricsDomain.NET_CLIENT.toCategory(), MetricsDomain.EVENT_BUS.toCategory()))
        // vertx-micrometer keeps its registries in a static map by name: one name per Vertx of the JVM
        .setRegistryName("bolt-" + UUID.randomUUID());
    return Vertx.builder().with(new VertxOptions().setMetricsOptions(options))
        .withMetrics(VertxMeters.factory(metrics.prometheusRegistry())).build();
  }
}
