package bolt.http;

import bolt.infra.Unavailable;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into a JSON error body; nothing else ever writes one. */
final class Errors {

  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);
  static final String RETRY_AFTER_SECONDS = "1";

  private Errors() {
  }

  static void install(Router router) {
    router.errorHandler(404, ctx -> send(ctx, new ApiError(404, "NOT_FOUND", "no route for " + ctx.request().path())));
    router.errorHandler(405, ctx -> send(ctx, new ApiError(405, "METHOD_NOT_ALLOWED",
        ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> send(ctx, new ApiError(413, "PAYLOAD_TOO_LARGE", "the body exceeds 16 KiB")));
    router.errorHandler(400, ctx -> send(ctx, ctx.failure() instanceof ApiError api ? api
        : new ApiError(400, "BAD_REQUEST", "the request could not be read")));
    router.errorHandler(500, Errors::fail);
  }

  /** Failure handler: an ApiError is rendered as it is, an outage as 503, anything else as an opaque 500. */
  static void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError api) {
      if (api.status() == 503) {
        ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
      }
      send(ctx, api);
    } else if (failure instanceof Unavailable down) {
      ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
      send(ctx, new ApiError(503, "UNAVAILABLE", down.backend() + " is not answering; retry shortly",
          new JsonObject().put("backend", down.backend())));
    } else if (ctx.statusCode() == 413) {
      send(ctx, new ApiError(413, "PAYLOAD_TOO_LARGE", "the body exceeds 16 KiB"));
    } else {
      LOG.error("Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      send(ctx, new ApiError(500, "INTERNAL", "internal error"));
    }
  }

  static void send(RoutingContext ctx, ApiError error) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error.body().toBuffer());
  }
}
