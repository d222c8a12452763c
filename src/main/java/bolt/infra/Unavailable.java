package bolt.infra;

import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;

/**
 * A backend (Redis or PostgreSQL) did not answer in time or refused the connection. The HTTP layer
 * turns it into 503 with Retry-After; nothing else does.
 */
public final class Unavailable extends RuntimeException {

  private final String backend;

  public Unavailable(String backend, Throwable cause) {
    super(backend + " unavailable: " + cause.getMessage(), cause, false, false);
    this.backend = backend;
  }

  /** A backend that answers but cannot serve yet, for a reason worth a log line. */
  public Unavailable(String backend, String reason) {
    super(backend + " unavailable: " + reason, null, false, false);
    this.backend = backend;
  }

  public String backend() {
    return backend;
  }

  /**
   * Bounds a backend call: a failure or a reply later than {@code timeoutMs} becomes {@link Unavailable}.
   * Outages and recoveries are logged once per backend ({@link OutageLog}), not once per call.
   */
  public static <T> Future<T> guard(String backend, long timeoutMs, Future<T> call) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(done -> {
      if (done.succeeded()) {
        OutageLog.answered(backend);
        return Future.succeededFuture(done.result());
      }
      Throwable failure = done.cause();
      OutageLog.failed(backend, failure instanceof Unavailable down ? down.getCause() : failure);
      return Future.failedFuture(failure instanceof Unavailable ? failure : new Unavailable(backend, failure));
    });
  }
}
