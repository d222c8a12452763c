package bolt.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP server's meters, under vertx-micrometer-metrics' names and labels:
 * {@code vertx_http_server_requests_total} and {@code vertx_http_server_response_time_seconds} by
 * {@code code}, {@code method} and {@code route} (the route template, never the path),
 * {@code vertx_http_server_active_requests} by {@code method},
 * {@code vertx_http_server_active_connections} and {@code vertx_http_server_request_resets_total}.
 *
 * <p>Recorded by Bolt rather than by vertx-micrometer-metrics, whose server meters cost a fifth of
 * the CPU of a refusal during a sale (bench/README.md, "Hot product"): they look each meter up by a
 * freshly built tag set, seven times a request, and record the size of every read and write. Here
 * a request looks up one cached pair of meters when its response ends; byte counts are not kept.
 *
 * <p>One instance for every HTTP server of the process: its methods run on the servers' event loops.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Exchange, Void, Boolean> {

  private final MeterRegistry registry;
  private final LongAdder connections = new LongAdder();
  private final Map<HttpMethod, LongAdder> active = new ConcurrentHashMap<>();
  private final Map<HttpMethod, Counter> resets = new ConcurrentHashMap<>();
  private final Map<Outcome, Meters> outcomes = new ConcurrentHashMap<>();

  private record Outcome(HttpMethod method, String route, int code) {
  }

  private record Meters(Counter requests, Timer responseTime) {
  }

  /** One request, from its head to the end of its response (or its reset). */
  static final class Exchange {
    private final HttpMethod method;
    private final LongAdder active;
    private final long startNanos = System.nanoTime();
    private String route;
    private String lastRoute;
    private boolean ended;

    private Exchange(HttpMethod method, LongAdder active) {
      this.method = method;
      this.active = active;
      active.increment();
    }

    private void end() {
      if (!ended) {
        ended = true;
        active.decrement();
      }
    }
  }

  HttpServerMeters(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vertx.http.server.active.connections", connections, LongAdder::doubleValue)
        .description("Number of opened connections to the HTTP Server").register(registry);
  }

  @Override
  public Boolean connected(SocketAddress remoteAddress, String remoteName) {
    connections.increment();
    return Boolean.TRUE;
  }

  @Override
  public void disconnected(Boolean socket, SocketAddress remoteAddress) {
    connections.decrement();
  }

  @Override
  public Exchange requestBegin(Boolean socket, HttpRequest request) {
    LongAdder requests = active.get(request.method());
    if (requests == null) {
      requests = active.computeIfAbsent(request.method(), this::activeGauge);
    }
    return new Exchange(request.method(), requests);
  }

  /**
   * vertx-web names each route a request passes: routes of different paths are joined with '>', as
   * vertx-micrometer does; the same path named again (a body route after its clock) counts once.
   */
  @Override
  public void requestRouted(Exchange exchange, String route) {
    if (route == null || route.equals(exchange.lastRoute)) {
      return;
    }
    exchange.route = exchange.route == null ? route : exchange.route + ">" + route;
    exchange.lastRoute = route;
  }

  @Override
  public void requestReset(Exchange exchange) {
    resets.computeIfAbsent(exchange.method, method -> Counter.builder("vertx.http.server.request.resets")
        .description("Number of request resets").tag("method", method.name()).register(registry)).increment();
    exchange.end();
  }

  @Override
  public void responseEnd(Exchange exchange, HttpResponse response, long bytesWritten) {
    Outcome outcome = new Outcome(exchange.method, exchange.route == null ? "" : exchange.route, response.statusCode());
    Meters meters = outcomes.get(outcome);
    if (meters == null) {
      meters = outcomes.computeIfAbsent(outcome, this::meters);
    }
    meters.requests().increment();
    meters.responseTime().record(System.nanoTime() - exchange.startNanos, TimeUnit.NANOSECONDS);
    exchange.end();
  }

  private LongAdder activeGauge(HttpMethod method) {
    LongAdder requests = new LongAdder();
    Gauge.builder("vertx.http.server.active.requests", requests, LongAdder::doubleValue)
        .description("Number of requests being processed").tag("method", method.name()).register(registry);
    return requests;
  }

  private Meters meters(Outcome outcome) {
    String[] tags = {"code", String.valueOf(outcome.code()), "method", outcome.method().name(), "route", outcome.route()};
    return new Meters(
        Counter.builder("vertx.http.server.requests").description("Number of processed requests").tags(tags)
            .register(registry),
        Timer.builder("vertx.http.server.response.time").description("Request processing time").tags(tags)
            .register(registry));
  }
}
