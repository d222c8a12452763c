package bolt.http;

import bolt.config.HttpLimits;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bounds what a connection may hold: at most {@code maxConnections} per process (a connection beyond
 * it is closed as soon as it is accepted, before anything is read), and a deadline whenever the
 * connection waits for its client: {@code headerTimeoutMs} for the first request head from the moment
 * it opens, {@code idleTimeoutMs} for the next head from the end of each response, and
 * {@code bodyTimeoutMs} for a body from its head ({@link #awaitBody}). A head that trickles in a byte
 * at a time (slowloris), a kept-alive connection that sends nothing and a body that never completes
 * are all ended by their deadline. A request being answered has none.
 *
 * <p>Deadlines are swept, not timed one by one: a request would otherwise set and cancel two timers,
 * a measurable share of the cost of a refusal during a sale. One periodic sweep per event loop,
 * every tenth of the shortest timeout (10 ms to 250 ms), ends whatever is past its deadline; so a
 * deadline is met late by at most one period, never early.
 *
 * <p>One instance per HttpVerticle, used on its event loop only; the connection count is per process.
 */
final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final long NONE = Long.MAX_VALUE;

  private final HttpLimits limits;
  private final EdgeCounters counters;
  /** By identity: a flat table probed in place, where a HashMap reaches each entry through a node of its own. */
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();
  /** The watch found last: a request's body is mostly awaited and read right after its head, so it is found again. */
  private Watch lastFound;

  ConnectionGuard(Vertx vertx, HttpLimits limits, EdgeCounters counters) {
    this.limits = limits;
    this.counters = counters;
    long shortest = Math.min(limits.headerTimeoutMs(), Math.min(limits.idleTimeoutMs(), limits.bodyTimeoutMs()));
    // a verticle's timers end with it
    vertx.setPeriodic(Math.max(10, Math.min(250, shortest / 10)), tick -> sweep());
  }

  /** What the edge counts, for the handlers that count into the same. */
  EdgeCounters counters() {
    return counters;
  }

  /** For {@code HttpServer.connectionHandler}. */
  void opened(HttpConnection connection) {
    if (!counters.tryOpen(limits.maxConnections())) {
      LOG.debug("Refused a connection from {}: {} open already", connection.remoteAddress(), limits.maxConnections());
      connection.close();
      return;
    }
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    connection.closeHandler(closed -> {
      watches.remove(connection);
      if (lastFound == watch) {
        lastFound = null;
      }
      counters.closed();
    });
    watch.until(limits.headerTimeoutMs(), watch::headTimedOut);
  }

  /**
   * For every request before it is handled: the head is in, so its deadline is off until the
   * response ends. Uses the response's end handler, which vertx-web leaves alone unless a route calls
   * {@code RoutingContext.addEndHandler}: Bolt's routes do not.
   */
  void headArrived(HttpServerRequest request) {
    Watch watch = watchOf(request);
    if (watch == null) {
      return; // refused or already closed
    }
    watch.clear();
    request.response().endHandler(watch);
  }

  /**
   * The request's body is to be read now: {@code timedOut} runs if it has not arrived within
   * {@code bodyTimeoutMs}, unless {@link #bodyArrived} or the end of the response came first.
   */
  void awaitBody(HttpServerRequest request, Runnable timedOut) {
    Watch watch = watchOf(request);
    if (watch != null) {
      watch.until(limits.bodyTimeoutMs(), timedOut);
    }
  }

  void bodyArrived(HttpServerRequest request) {
    Watch watch = watchOf(request);
    if (watch != null) {
      watch.clear();
    }
  }

  /** The watch of the request's connection; null when it was refused or has closed. */
  private Watch watchOf(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Watch last = lastFound;
    if (last != null && last.connection == connection) {
      return last;
    }
    Watch watch = watches.get(connection);
    if (watch != null) {
      lastFound = watch;
    }
    return watch;
  }

  private void sweep() {
    long now = System.nanoTime();
    List<Runnable> due = null;
    for (Watch watch : watches.values()) {
      if (watch.deadline != NONE && now - watch.deadline >= 0) {
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(watch.onDeadline);
        watch.clear();
      }
    }
    if (due != null) {
      due.forEach(Runnable::run);
    }
  }

  /** One connection's deadline; also the end handler of its responses (the wait for its next head). */
  private final class Watch implements Handler<Void> {

    private final HttpConnection connection;
    private final Runnable onIdleDeadline = this::idleTimedOut;
    private long deadline = NONE;
    private Runnable onDeadline;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void until(long timeoutMs, Runnable then) {
      deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      onDeadline = then;
    }

    void clear() {
      deadline = NONE;
      onDeadline = null;
    }

    @Override
    public void handle(Void responseEnded) {
      until(limits.idleTimeoutMs(), onIdleDeadline);
    }

    void headTimedOut() {
      counters.headerTimeout();
      close("complete request head", limits.headerTimeoutMs());
    }

    void idleTimedOut() {
      counters.idleTimeout();
      close("new request", limits.idleTimeoutMs());
    }

    private void close(String missing, long timeoutMs) {
      LOG.debug("Closing the connection from {}: no {} within {} ms", connection.remoteAddress(), missing, timeoutMs);
      connection.close();
    }
  }
}
