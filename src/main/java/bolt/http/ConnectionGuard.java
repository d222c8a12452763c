package bolt.http;

import bolt.config.HttpLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds what a connection may hold: at most {@code maxConnections} per process (a connection beyond
 * it is closed as soon as it is accepted, before anything is read), and a deadline whenever the
 * connection waits for a request head: {@code headerTimeoutMs} from the moment it opens, then
 * {@code idleTimeoutMs} from the end of each response. A head that trickles in a byte at a time
 * (slowloris) and a kept-alive connection that sends nothing are both closed by that deadline.
 * Bodies have their own deadline ({@link BodyGate}); a request being answered has none here.
 *
 * <p>One instance per HttpVerticle, used on its event loop only; the connection count is per process.
 */
final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Vertx vertx;
  private final HttpLimits limits;
  private final EdgeCounters counters;
  /** Connections of this verticle, with the timer of the deadline they are under (-1: none, a request is in hand). */
  private final Map<HttpConnection, Long> deadlines = new HashMap<>();

  ConnectionGuard(Vertx vertx, HttpLimits limits, EdgeCounters counters) {
    this.vertx = vertx;
    this.limits = limits;
    this.counters = counters;
  }

  /** For {@code HttpServer.connectionHandler}. */
  void opened(HttpConnection connection) {
    if (!counters.tryOpen(limits.maxConnections())) {
      LOG.debug("Refused a connection from {}: {} open already", connection.remoteAddress(), limits.maxConnections());
      connection.close();
      return;
    }
    connection.closeHandler(closed -> {
      cancel(deadlines.remove(connection));
      counters.closed();
    });
    deadlines.put(connection, -1L);
    awaitHead(connection, limits.headerTimeoutMs(), true);
  }

  /**
   * For every request before it is handled: the head is in, so its deadline is off until the
   * response ends. Uses the response's end handler, which vertx-web leaves alone unless a route calls
   * {@code RoutingContext.addEndHandler}: Bolt's routes do not.
   */
  void headArrived(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Long timer = deadlines.get(connection);
    if (timer == null) {
      return; // refused or already closed
    }
    cancel(timer);
    deadlines.put(connection, -1L);
    request.response().endHandler(ended -> awaitHead(connection, limits.idleTimeoutMs(), false));
  }

  private void awaitHead(HttpConnection connection, long timeoutMs, boolean firstRequest) {
    if (!deadlines.containsKey(connection)) {
      return;
    }
    long timer = vertx.setTimer(timeoutMs, fired -> {
      deadlines.put(connection, -1L);
      if (firstRequest) {
        counters.headerTimeout();
      } else {
        counters.idleTimeout();
      }
      LOG.debug("Closing the connection from {}: no {} within {} ms", connection.remoteAddress(),
          firstRequest ? "complete request head" : "new request", timeoutMs);
      connection.close();
    });
    cancel(deadlines.put(connection, timer));
  }

  private void cancel(Long timer) {
    if (timer != null && timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
