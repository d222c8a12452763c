package bolt.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Guards the reading of request bodies. {@link #checkFraming} (every request) refuses a
 * Transfer-Encoding Bolt cannot read, as RFC 9112 says: 501 for a coding other than chunked, 400
 * when chunked is not the last coding (the body's length cannot be known). {@link #startClock} and
 * {@link #stopClock} (around the body handler) refuse a body that is not JSON without reading it (415)
 * and answer 408 when the body has not arrived within {@code http.bodyTimeoutMs} of the head (a
 * deadline the {@link ConnectionGuard} keeps). Each of
 * these answers closes the connection (see {@link Errors#send}).
 */
final class BodyGate {

  private final ConnectionGuard connections;
  private final long timeoutMs;
  private final EdgeCounters counters;

  BodyGate(ConnectionGuard connections, long timeoutMs, EdgeCounters counters) {
    this.connections = connections;
    this.timeoutMs = timeoutMs;
    this.counters = counters;
  }

  void checkFraming(RoutingContext ctx) {
    List<String> codings = transferCodings(ctx);
    if (codings.isEmpty()) {
      ctx.next();
    } else if (ctx.request().version() == HttpVersion.HTTP_1_0) {
      throw new ApiError(400, "BAD_TRANSFER_ENCODING", "Transfer-Encoding is not defined for HTTP/1.0");
    } else if (!codings.get(codings.size() - 1).equals("chunked") || codings.indexOf("chunked") != codings.size() - 1) {
      throw new ApiError(400, "BAD_TRANSFER_ENCODING",
          "Transfer-Encoding must end with chunked, once: the length of the body cannot be determined");
    } else if (codings.size() > 1) {
      throw new ApiError(501, "UNSUPPORTED_TRANSFER_ENCODING", "the only transfer coding supported is chunked");
    } else {
      ctx.next();
    }
  }

  /**
   * Before the body is read: a body that is not JSON is refused at once (415), unread, and the
   * clock starts. When it runs out before {@link #stopClock}, a body still arriving is answered 408;
   * a body that arrived but was never handed on is a bug, answered 500, rather than a request left
   * hanging.
   */
  void startClock(RoutingContext ctx) {
    if (!JsonInput.isJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
    }
    watch(ctx.request(), late -> {
      if (!ctx.failed()) {
        ctx.fail(late);
      }
    });
    ctx.next();
  }

  /** Runs once the body is in; a request that failed before never gets here, and its deadline finds it answered. */
  void stopClock(RoutingContext ctx) {
    bodyArrived(ctx.request());
    ctx.next();
  }

  /**
   * The request's body is being read: if it has not arrived within the timeout, {@code fail} gets a
   * 408 {@link ApiError}, or, for a body read but never handed on (a bug), an IllegalStateException,
   * rather than the request being left hanging. Nothing happens once the response has ended.
   */
  void watch(HttpServerRequest request, Handler<Throwable> fail) {
    connections.awaitBody(request, () -> {
      if (request.response().ended()) {
        return;
      }
      if (request.isEnded()) {
        fail.handle(new IllegalStateException("the body was read but not handed on within " + timeoutMs + " ms"));
      } else {
        counters.bodyTimeout();
        fail.handle(new ApiError(408, "REQUEST_TIMEOUT", "the body did not arrive within " + timeoutMs + " ms"));
      }
    });
  }

  void bodyArrived(HttpServerRequest request) {
    connections.bodyArrived(request);
  }

  private static List<String> transferCodings(RoutingContext ctx) {
    List<String> codings = new ArrayList<>();
    for (String header : ctx.request().headers().getAll(HttpHeaders.TRANSFER_ENCODING)) {
      for (String coding : header.split(",")) {
        String name = coding.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) {
          codings.add(name);
        }
      }
    }
    return codings;
  }
}
