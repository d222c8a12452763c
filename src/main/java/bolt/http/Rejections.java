package bolt.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * The 4xx answers that carry only a status (from vertx-web: the routing checks, the body handler),
 * each as an {@link ApiError} that says what was wrong with the request.
 */
final class Rejections {

  /** What any resource of Bolt supports, for the Allow header of a request aimed at no resource. */
  static final String SERVER_METHODS = "GET, HEAD, POST";

  private static final Pattern BAD_PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");

  private Rejections() {
  }

  /** An HTTP/1.1 request without a Host that is a valid host[:port]: RFC 9112 says 400, and vertx-web answers it. */
  static boolean withoutValidHost(HttpServerRequest request) {
    return request.version() == HttpVersion.HTTP_1_1 && request.authority() == null;
  }

  /** Why an HTTP/1.1 request's Host is not one Bolt can take, or null when it is. */
  private static ApiError hostProblem(HttpServerRequest request) {
    if (!withoutValidHost(request)) {
      return null;
    }
    return request.headers().contains(HttpHeaders.HOST)
        ? new ApiError(400, "INVALID_HOST", "the Host header is not a valid host[:port]")
        : new ApiError(400, "MISSING_HOST", "an HTTP/1.1 request needs a Host header");
  }

  static ApiError of(RoutingContext ctx, int status) {
    HttpServerRequest request = ctx.request();
    String path = request.path();
    boolean originForm = path != null && path.startsWith("/");
    switch (status) {
      case 400:
        ApiError host = hostProblem(request);
        if (host != null) {
          return host;
        }
        if (!originForm) {
          return notAResource(ctx);
        }
        return BAD_PERCENT.matcher(request.uri()).find()
            ? new ApiError(400, "INVALID_TARGET", "the request target is not valid percent-encoding")
            : new ApiError(400, "BAD_REQUEST", "the request could not be read");
      case 404:
        // vertx-web answers 404 to a target without a leading '/'; HTTP calls that a bad request
        return originForm ? new ApiError(404, "NOT_FOUND", "no route for " + path) : notAResource(ctx);
      case 405:
        return new ApiError(405, "METHOD_NOT_ALLOWED", request.method() + " is not allowed on " + path);
      case 413:
        return new ApiError(413, "PAYLOAD_TOO_LARGE", "the body exceeds " + Api.BODY_LIMIT / 1024 + " KiB");
      case 417:
        return new ApiError(417, "EXPECTATION_FAILED", "the only expectation supported is 'Expect: 100-continue'");
      default:
        return new ApiError(status, "BAD_REQUEST", "the request was refused with HTTP status " + status);
    }
  }

  /**
   * A request target that is not a path: {@code OPTIONS *} asks about the server and {@code CONNECT
   * host:port} asks for a tunnel, methods Bolt supports on nothing (405); anything else lacks the
   * leading '/' of a path (400).
   */
  private static ApiError notAResource(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method == HttpMethod.OPTIONS || method == HttpMethod.CONNECT) {
      ctx.response().putHeader("Allow", SERVER_METHODS);
      return new ApiError(405, "METHOD_NOT_ALLOWED", method + " is not supported; Bolt serves " + SERVER_METHODS);
    }
    return new ApiError(400, "INVALID_TARGET", "the request target must be a path starting with '/'");
  }
}
