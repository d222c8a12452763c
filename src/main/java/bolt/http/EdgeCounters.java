package bolt.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the HTTP edge turned away or lost, per process (shared by every HttpVerticle instance). These
 * events are logged at DEBUG only, since any client can cause them at will; the counts are what an
 * operator watches (and what a metrics endpoint can export).
 */
public final class EdgeCounters {

  private final AtomicInteger openConnections = new AtomicInteger();
  private final LongAdder refusedConnections = new LongAdder();
  private final LongAdder headerTimeouts = new LongAdder();
  private final LongAdder idleTimeouts = new LongAdder();
  private final LongAdder bodyTimeouts = new LongAdder();
  private final LongAdder malformedHeads = new LongAdder();
  private final LongAdder malformedBodies = new LongAdder();
  private final LongAdder clientDisconnects = new LongAdder();

  /** Connections open now (a gauge). */
  public int openConnections() {
    return openConnections.get();
  }

  /** New connections closed at once because the process held {@code http.maxConnections} already. */
  public long refusedConnections() {
    return refusedConnections.sum();
  }

  /** Connections closed because their request head did not arrive within {@code http.headerTimeoutMs}. */
  public long headerTimeouts() {
    return headerTimeouts.sum();
  }

  /** Kept-alive connections closed after {@code http.idleTimeoutMs} without a new request. */
  public long idleTimeouts() {
    return idleTimeouts.sum();
  }

  /** Requests answered 408 because their body did not arrive within {@code http.bodyTimeoutMs}. */
  public long bodyTimeouts() {
    return bodyTimeouts.sum();
  }

  /** Request heads the HTTP codec could not read (answered 400, 414, 431 or 501). */
  public long malformedHeads() {
    return malformedHeads.sum();
  }

  /** Request bodies whose framing could not be read, such as a bad chunk size (answered 400). */
  public long malformedBodies() {
    return malformedBodies.sum();
  }

  /** Requests whose client closed or reset the connection before it had its answer. */
  public long clientDisconnects() {
    return clientDisconnects.sum();
  }

  /**
   * Publishes these counts as meters read at scrape time ({@code bolt_http_connections_open},
   * {@code bolt_http_connections_refused_total}, {@code bolt_http_timeouts_total{kind}},
   * {@code bolt_http_malformed_total{part}}, {@code bolt_http_client_disconnects_total}): nothing
   * is added to the counting itself.
   */
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("bolt.http.connections.open", this, EdgeCounters::openConnections)
        .description("HTTP connections open now").register(registry);
    FunctionCounter.builder("bolt.http.connections.refused", this, EdgeCounters::refusedConnections)
        .description("Connections closed at once: http.maxConnections were open").register(registry);
    FunctionCounter.builder("bolt.http.timeouts", this, EdgeCounters::headerTimeouts).tag("kind", "header")
        .description("Connections or requests ended by a timeout of the HTTP edge").register(registry);
    FunctionCounter.builder("bolt.http.timeouts", this, EdgeCounters::idleTimeouts).tag("kind", "idle")
        .description("Connections or requests ended by a timeout of the HTTP edge").register(registry);
    FunctionCounter.builder("bolt.http.timeouts", this, EdgeCounters::bodyTimeouts).tag("kind", "body")
        .description("Connections or requests ended by a timeout of the HTTP edge").register(registry);
    FunctionCounter.builder("bolt.http.malformed", this, EdgeCounters::malformedHeads).tag("part", "head")
        .description("Requests the HTTP codec could not read").register(registry);
    FunctionCounter.builder("bolt.http.malformed", this, EdgeCounters::malformedBodies).tag("part", "body")
        .description("Requests the HTTP codec could not read").register(registry);
    FunctionCounter.builder("bolt.http.client.disconnects", this, EdgeCounters::clientDisconnects)
        .description("Requests whose client went away before its answer").register(registry);
  }

  /** Counts a new connection unless that would exceed {@code max}; false means refuse it. */
  boolean tryOpen(int max) {
    if (openConnections.incrementAndGet() > max) {
      openConnections.decrementAndGet();
      refusedConnections.increment();
      return false;
    }
    return true;
  }

  void closed() {
    openConnections.decrementAndGet();
  }

  void headerTimeout() {
    headerTimeouts.increment();
  }

  void idleTimeout() {
    idleTimeouts.increment();
  }

  void bodyTimeout() {
    bodyTimeouts.increment();
  }

  void malformedHead() {
    malformedHeads.increment();
  }

  void malformedBody() {
    malformedBodies.increment();
  }

  void clientDisconnect() {
    clientDisconnects.increment();
  }

  @Override
  public String toString() {
    return "open=" + openConnections() + " refused=" + refusedConnections() + " headerTimeouts=" + headerTimeouts()
        + " idleTimeouts=" + idleTimeouts() + " bodyTimeouts=" + bodyTimeouts() + " malformedHeads=" + malformedHeads()
        + " malformedBodies=" + malformedBodies() + " clientDisconnects=" + clientDisconnects();
  }
}
