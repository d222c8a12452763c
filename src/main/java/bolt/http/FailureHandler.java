package bolt.http;

import bolt.infra.Unavailable;
import bolt.metrics.BoltMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.UUID;

/**
 * The router's failure handler (and its error handler for 4xx statuses it sets itself). A failure is
 * answered by what it is: an {@link ApiError} as it is, an outage as 503 with Retry-After, a status a
 * failure carries (vertx-web sets 400, 404, 405, 413, 417) as that 4xx; a client that went away or a
 * body that could not be read is counted and logged at DEBUG only. Anything else is a bug: 500, and
 * one ERROR line whose error id is also in the response body.
 */
final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  private static final String DISCONNECT_COUNTED = "bolt.disconnectCounted";

  private final EdgeCounters counters;
  private final BoltMetrics metrics;

  FailureHandler(EdgeCounters counters, BoltMetrics metrics) {
    this.counters = counters;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    handle(ctx, ctx.statusCode());
  }

  /**
   * For the router's error handler of {@code status}: vertx-web calls it without setting the status
   * on the context (for a path parameter that is not valid percent-encoding, for one).
   */
  void handle(RoutingContext ctx, int status) {
    Throwable failure = ctx.failure();
    if (clientGone(ctx.response(), failure)) {
      // a reset fails the request twice: as the reset, then as the close
      if (!ctx.response().ended() && ctx.get(DISCONNECT_COUNTED) == null) {
        ctx.put(DISCONNECT_COUNTED, Boolean.TRUE);
        counters.clientDisconnect();
      }
      LOG.debug("Client of {} {} went away: {}", ctx.request().method(), ctx.request().path(), String.valueOf(failure));
    } else if (ctx.response().ended()) {
      LOG.error("Failure after the response to {} {} was sent: {}", ctx.request().method(), ctx.request().path(),
          oneLine(failure));
    } else if (failure instanceof ApiError || failure instanceof Unavailable) {
      answer(ctx.request(), failure);
    } else if (bodyUnreadable(ctx, failure)) {
      counters.malformedBody();
      LOG.debug("Unreadable body of {} {}: {}", ctx.request().method(), ctx.request().path(), failure.toString());
      Errors.send(ctx, new ApiError(400, "MALFORMED_BODY", "the request body is not validly framed (chunked encoding)"));
    } else if (isClientError(status(status, failure))) {
      Errors.send(ctx, Rejections.of(ctx, status(status, failure)));
    } else {
      answer(ctx.request(), failure);
    }
  }

  /**
   * A failure of a request served outside the router ({@link OrderIntake}): answered by the same
   * rules, less the ones only vertx-web's own failures need.
   */
  void handle(HttpServerRequest request, Throwable failure) {
    if (clientGone(request.response(), failure)) {
      if (!request.response().ended()) {
        counters.clientDisconnect();
      }
      LOG.debug("Client of {} {} went away: {}", request.method(), request.path(), String.valueOf(failure));
    } else if (request.response().ended()) {
      LOG.error("Failure after the response to {} {} was sent: {}", request.method(), request.path(), oneLine(failure));
    } else {
      answer(request, failure);
    }
  }

  private void answer(HttpServerRequest request, Throwable failure) {
    if (failure instanceof ApiError api) {
      if (api.status() == 503) {
        request.response().putHeader("Retry-After", Errors.RETRY_AFTER_SECONDS);
      }
      Errors.send(request, api);
    } else if (failure instanceof Unavailable down) {
      metrics.unavailable(down.backend());
      request.response().putHeader("Retry-After", Errors.RETRY_AFTER_SECONDS);
      Errors.send(request, new ApiError(503, "UNAVAILABLE", down.backend() + " is not answering; retry shortly",
          new JsonObject().put("backend", down.backend())));
    } else {
      internalError(request, failure);
    }
  }

  private void internalError(HttpServerRequest request, Throwable failure) {
    String errorId = UUID.randomUUID().toString();
    LOG.atError().addKeyValue("errorId", errorId)
        .log("Internal error {} on {} {}: {}", errorId, request.method(), request.path(), oneLine(failure));
    LOG.debug("Internal error {}", errorId, failure);
    Errors.send(request, new ApiError(500, "INTERNAL", "internal error; quote errorId when reporting it",
        new JsonObject().put("errorId", errorId)));
  }

  /**
   * The request stream failed while the body was being read: vertx-web's BodyHandler then fails the
   * request with the stream's exception and status 200 (400 for a DecoderException). vertx-web's
   * refusal of a bad Host, before the body is read, looks the same and is not one.
   */
  private static boolean bodyUnreadable(RoutingContext ctx, Throwable failure) {
    return failure != null && !(failure instanceof HttpException) && (ctx.statusCode() == 200 || ctx.statusCode() == 400)
        && Errors.hasUnreadBody(ctx.request()) && !Rejections.withoutValidHost(ctx.request());
  }

  private static int status(int status, Throwable failure) {
    return failure instanceof HttpException http ? http.getStatusCode() : status;
  }

  private static boolean isClientError(int status) {
    return status >= 400 && status < 500;
  }

  /**
   * The connection closed or was reset under the request: nobody is left to answer. Only the
   * request's own stream failure counts (vertx-web passes it as it is); a backend's refused or reset
   * connection arrives wrapped in {@link Unavailable} and is answered 503.
   */
  private static boolean clientGone(HttpServerResponse response, Throwable failure) {
    return response.closed() || failure instanceof HttpClosedException || failure instanceof IOException;
  }

  /** Class, message (a PostgreSQL error's has its SQLSTATE) and where it was thrown: enough to find a bug, in one line. */
  private static String oneLine(Throwable failure) {
    if (failure == null) {
      return "no exception";
    }
    StringBuilder line = new StringBuilder(failure.toString().replace('\n', ' '));
    StackTraceElement[] frames = failure.getStackTrace();
    if (frames.length > 0) {
      line.append(" at ").append(frames[0]);
    }
    return line.toString();
  }
}
