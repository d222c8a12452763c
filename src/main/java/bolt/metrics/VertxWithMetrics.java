package bolt.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.UUID;

/** The process's Vertx, reporting its own metrics (HTTP server, pools, event bus, JVM) into Bolt's registry. */
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
        // the route template (/order/:id), never the path: a label value per order id would be unbounded
        .addLabels(Label.HTTP_ROUTE)
        // vertx-micrometer keeps its registries in a static map by name: one name per Vertx of the JVM
        .setRegistryName("bolt-" + UUID.randomUUID());
    return Vertx.builder().with(new VertxOptions().setMetricsOptions(options))
        .withMetrics(new MicrometerMetricsFactory(metrics.prometheusRegistry())).build();
  }
}
