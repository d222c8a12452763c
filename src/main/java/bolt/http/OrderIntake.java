package bolt.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * POST /order served straight from the HTTP server, without the router: the one request a sale is
 * made of, refused thousands of times a second once the product is sold out, so it is spared the
 * routing, the body handler and their per-request state. It takes only requests whose framing is
 * plain (a JSON body with a Content-Length within the limit, no Transfer-Encoding, no Expect, a Host
 * when HTTP/1.1 needs one) once
 * start-up is done; every other request, POST /order included, goes to the router, which gives the
 * edge's answers (413, 415, 417, 501, 503 STARTING, chunked bodies). What it does take is answered
 * exactly as the router's route would: same body deadline, same handler, same failure answers.
 */
final class OrderIntake {

  static final String PATH = "/order";

  private final Future<Void> ready;
  private final BodyGate gate;
  private final OrderHandler orders;
  private final FailureHandler failures;
  /** The Host found valid last, on this loop: a sale's requests all name the same one, parsed once. */
  private String lastValidHost;

  OrderIntake(Future<Void> ready, BodyGate gate, OrderHandler orders, FailureHandler failures) {
    this.ready = ready;
    this.gate = gate;
    this.orders = orders;
    this.failures = failures;
  }

  /** Serves the request and returns true, or returns false, having done nothing, for the router to serve it. */
  boolean take(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !PATH.equals(request.path()) || !ready.succeeded() || !plain(request)) {
      return false;
    }
    request.routed(PATH);
    gate.watch(request, late -> failures.handle(request, late));
    request.body().onComplete(read -> {
      if (read.failed()) {
        failures.handle(request, read.cause());
        return;
      }
      gate.bodyArrived(request);
      try {
        orders.place(request, read.result()).onFailure(failure -> failures.handle(request, failure));
      } catch (RuntimeException invalid) { // an invalid request throws its ApiError
        failures.handle(request, invalid);
      }
    });
    return true;
  }

  private boolean plain(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_1_1 && !validHost(request)) {
      return false; // MISSING_HOST or INVALID_HOST is the router's answer
    }
    return withinBodyLimit(request.getHeader(HttpHeaders.CONTENT_LENGTH))
        && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING) && !request.headers().contains(HttpHeaders.EXPECT)
        && JsonInput.isJson(request.getHeader(HttpHeaders.CONTENT_TYPE));
  }

  /** An HTTP/1.1 request's Host is one the router takes ({@link Rejections#withoutValidHost}), parsed once per Host seen. */
  private boolean validHost(HttpServerRequest request) {
    String host = request.getHeader(HttpHeaders.HOST);
    if (host != null && host.equals(lastValidHost)) {
      return true;
    }
    if (Rejections.withoutValidHost(request)) {
      return false;
    }
    lastValidHost = host;
    return true;
  }

  /** A Content-Length of plain digits (no sign, no spaces) within the body limit. */
  private static boolean withinBodyLimit(String length) {
    if (length == null || length.isEmpty() || length.length() > 5) {
      return false;
    }
    int value = 0;
    for (int i = 0; i < length.length(); i++) {
      char digit = length.charAt(i);
      if (digit < '0' || digit > '9') {
        return false;
      }
      value = value * 10 + (digit - '0');
    }
    return value <= Api.BODY_LIMIT;
  }
}
