package bolt.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens below the router: request heads the HTTP codec could not read, HTTP versions other
 * than 1.0 and 1.1, and connection-level errors (resets, bad chunk framing). Clients cause all of
 * these at will, so they are counted and logged at DEBUG in one line, never with a stack trace; the
 * client gets the JSON error body every other error has, then the connection is closed (the codec
 * cannot tell where the next request would start).
 */
final class CodecErrors {

  private static final Logger LOG = LoggerFactory.getLogger(CodecErrors.class);

  private final EdgeCounters counters;

  CodecErrors(EdgeCounters counters) {
    this.counters = counters;
  }

  /** For {@code HttpServer.invalidRequestHandler}: a head the decoder failed on. */
  void malformedHead(HttpServerRequest request) {
    counters.malformedHead();
    Throwable cause = request.decoderResult().cause();
    LOG.debug("Malformed request head from {}: {}", request.remoteAddress(), cause == null ? "?" : cause.toString());
    ApiError error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiError(414, "URI_TOO_LONG",
          "the request line exceeds " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ApiError(431, "HEADERS_TOO_LARGE",
          "the request headers exceed " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes");
    } else {
      error = new ApiError(400, "MALFORMED_REQUEST", "the request line or a header is not valid HTTP/1.1");
    }
    answerAndClose(request, error);
  }

  /** A request whose version is neither HTTP/1.0 nor HTTP/1.1 (Vert.x gives it a null version). */
  void unsupportedVersion(HttpServerRequest request) {
    counters.malformedHead();
    LOG.debug("Unsupported HTTP version from {}", request.remoteAddress());
    answerAndClose(request, new ApiError(501, "HTTP_VERSION_NOT_SUPPORTED", "Bolt speaks HTTP/1.1 and HTTP/1.0"));
  }

  /**
   * For {@code HttpServer.exceptionHandler}: a connection failed (reset by the client, a chunk size
   * that is not hex, ...). The request in progress, if any, fails too and is answered and counted by
   * {@link FailureHandler}; this only keeps Vert.x from logging it at ERROR.
   */
  void connectionError(Throwable failure) {
    LOG.debug("Connection error: {}", failure.toString());
  }

  private static void answerAndClose(HttpServerRequest request, ApiError error) {
    request.response()
        .setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Errors.JSON)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(error.body().toBuffer());
    request.connection().close();
  }
}
