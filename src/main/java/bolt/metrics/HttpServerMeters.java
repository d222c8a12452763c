package bolt.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
 * a request looks up one cached timer when its response ends (the request count is the timer's);
 * byte counts are not kept.
 *
 * <p>One instance for every HTTP server of the process: its methods run on the servers' event loops.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Exchange, Void, Boolean> {

  private final MeterRegistry registry;
  private final LongAdder connections = new LongAdder();
  private final Map<String, MethodMeters> methods = new ConcurrentHashMap<>();
  // HttpMethod hashes a new String of its name on every call: the two methods of a sale are kept
  // apart and found by identity (Vert.x gives every request of a known method the same instance)
  private volatile MethodMeters post;
  private volatile MethodMeters get;

  private record Outcome(String route, int code) {
  }

  private record LastOutcome(String route, int code, Timer timer) {
  }

  /** The meters of one method: its active requests, its resets, and its outcomes by route and code. */
  private final class MethodMeters {
    private final String name;
    private final PerThreadCount active = new PerThreadCount();
    private final Map<Outcome, Timer> outcomes = new ConcurrentHashMap<>();
    /** The outcome recorded last, by any loop: immutable, so a loop reads a whole one. */
    private volatile LastOutcome last;

    private MethodMeters(String name) {
      this.name = name;
      Gauge.builder("vertx.http.server.active.requests", active, PerThreadCount::sum)
          .description("Number of requests being processed").tag("method", name).register(registry);
    }

    private Timer responseTime(String route, int code) {
      // a sale answers the same outcome again and again: it is found without a key to build and hash
      LastOutcome last = this.last;
      if (last != null && last.code() == code && last.route().equals(route)) {
        return last.timer();
      }
      Outcome outcome = new Outcome(route, code);
      Timer timer = outcomes.get(outcome);
      if (timer == null) {
        timer = outcomes.computeIfAbsent(outcome, this::register);
      }
      this.last = new LastOutcome(route, code, timer);
      return timer;
    }

    private Timer register(Outcome outcome) {
      String[] tags = {"code", String.valueOf(outcome.code()), "method", name, "route", outcome.route()};
      Timer responseTime = Timer.builder("vertx.http.server.response.time").description("Request processing time")
          .tags(tags).register(registry);
      // the timer counts the requests already: one adder less per request than a counter of its own
      FunctionCounter.builder("vertx.http.server.requests", responseTime, Timer::count)
          .description("Number of processed requests").tags(tags).register(registry);
      return responseTime;
    }

    /** Rare: the registry finds the counter it registered the first time. */
    private void reset() {
      Counter.builder("vertx.http.server.request.resets").description("Number of request resets")
          .tag("method", name).register(registry).increment();
    }
  }

  /** One request, from its head to the end of its response (or its reset). */
  static final class Exchange {
    private final MethodMeters method;
    private final long startNanos = System.nanoTime();
    private String route;
    private String lastRoute;
    private boolean ended;

    private Exchange(MethodMeters method) {
      this.method = method;
      method.active.add(1);
    }

    private void end() {
      if (!ended) {
        ended = true;
        method.active.add(-1);
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
    return new Exchange(methodMeters(request.method()));
  }

  private MethodMeters methodMeters(HttpMethod method) {
    MethodMeters known = method == HttpMethod.POST ? post : method == HttpMethod.GET ? get : null;
    if (known != null) {
      return known;
    }
    // both loops may set post or get here: they set the one instance the map holds
    MethodMeters meters = methods.computeIfAbsent(method.name(), MethodMeters::new);
    if (method == HttpMethod.POST) {
      post = meters;
    } else if (method == HttpMethod.GET) {
      get = meters;
    }
    return meters;
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
    exchange.method.reset();
    exchange.end();
  }

  @Override
  public void responseEnd(Exchange exchange, HttpResponse response, long bytesWritten) {
    exchange.method.responseTime(exchange.route == null ? "" : exchange.route, response.statusCode())
        .record(System.nanoTime() - exchange.startNanos, TimeUnit.NANOSECONDS);
    exchange.end();
  }
}
