package bolt.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /metrics: reads the sale's state (bounded by the backend timeout, so a scrape answers even
 * while Redis is down, with NaN gauges and {@code bolt_backend_up 0}), then answers the registry in
 * Prometheus text format. Scrapes that arrive while a read is under way share it.
 */
final class ScrapeHandler implements Handler<RoutingContext> {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final SaleStateReader reader;
  private final SaleGauges gauges;
  private Future<Void> reading;

  ScrapeHandler(PrometheusMeterRegistry registry, SaleStateReader reader, SaleGauges gauges) {
    this.registry = registry;
    this.reader = reader;
    this.gauges = gauges;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (reading == null) {
      reading = reader.read().map(state -> {
        gauges.update(state);
        return (Void) null;
      }).onComplete(done -> reading = null);
    }
    reading.onComplete(done -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(registry.scrape()));
  }
}
