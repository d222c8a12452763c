package bolt.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Writes a JSON error body; nothing else ever writes one. */
final class Errors {

  static final String RETRY_AFTER_SECONDS = "1";
  static final String JSON = "application/json";

  private Errors() {
  }

  /**
   * Sends the error, unless the response is already sent or its connection gone. An answer given
   * before the request body was read (413, 417, 408, a refused Transfer-Encoding, bad chunking) closes
   * the connection: the unread rest of the body cannot be told apart from a next request.
   */
  static void send(RoutingContext ctx, ApiError error) {
    send(ctx.request(), error);
  }

  /** {@link #send(RoutingContext, ApiError)} for a request answered outside the router. */
  static void send(HttpServerRequest request, ApiError error) {
    send(request, error.status(), error.body().toBuffer());
  }

  /** An error body encoded already (see OrderHandler's sold-out refusals). */
  static void send(HttpServerRequest request, int status, Buffer body) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    boolean unreadBody = hasUnreadBody(request);
    if (unreadBody) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
    if (unreadBody) {
      // at once, not when the write completes: after a codec error Netty closes the channel as soon as
      // this handler returns, and only Vert.x's own close flushes the answer out first
      request.connection().close();
    }
  }

  /** The request announced a body (Content-Length or Transfer-Encoding) that has not been read to its end. */
  static boolean hasUnreadBody(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !length.equals("0"));
  }
}
