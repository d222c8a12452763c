package bolt.infra;

import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A backend (Redis or PostgreSQL) did not answer in time, refused the connection or lost it. The
 * HTTP layer turns it into 503 with Retry-After; nothing else does. A backend that answered with an
 * error about the request itself (a PostgreSQL data error, a failing script) is not unavailable:
 * that failure passes through as it is, for the caller to answer as the client's problem or a bug.
 */
public final class Unavailable extends RuntimeException {

  /**
   * PostgreSQL SQLSTATEs meaning "cannot serve now": classes 08 (connection), 28 (authentication), 3D
   * (no such database), 53 (insufficient resources, too many connections), 57P (shutting down, not
   * accepting connections yet), 57014 (statement timeout) and 55P03 (lock timeout: a lock held
   * longer than postgres.txTimeoutMs, by a writer PostgreSQL is about to end).
   */
  private static final Set<String> PG_UNAVAILABLE_CLASSES = Set.of("08", "28", "3D", "53");
  private static final Set<String> PG_TIMEOUTS = Set.of("57014", "55P03");
  /** Redis error replies (and the client's own) meaning "cannot serve now" rather than "bad command". */
  private static final Set<String> REDIS_UNAVAILABLE_CODES = Set.of(
      "CONNECTION_CLOSED", "LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY", "OOM",
      "NOAUTH", "WRONGPASS",
      // a Redis Cluster moving a slot (a failover): the client follows single commands, not pipelines
      "MOVED", "ASK");
  private static final int MAX_CAUSES = 8;
  private static final Pattern PIPELINE_LINE = Pattern.compile("^ERR \\[\\d+] ");

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
   * Bounds a backend call: a reply later than {@code timeoutMs}, or a failure to reach the backend,
   * becomes {@link Unavailable}; any other failure is passed on unchanged. Outages and recoveries are
   * logged once per backend ({@link OutageLog}), not once per call.
   */
  public static <T> Future<T> guard(String backend, long timeoutMs, Future<T> call) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(done -> {
      if (done.succeeded()) {
        OutageLog.answered(backend);
        return Future.succeededFuture(done.result());
      }
      Throwable failure = done.cause();
      if (!(failure instanceof Unavailable) && !isOutage(failure)) {
        return Future.failedFuture(failure);
      }
      OutageLog.failed(backend, failure instanceof Unavailable down ? down.getCause() : failure);
      return Future.failedFuture(failure instanceof Unavailable ? failure : new Unavailable(backend, failure));
    });
  }

  /** True for a timeout, a refused, reset or closed connection, an exhausted pool, or a backend that says it cannot serve. */
  public static boolean isOutage(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
      if (cause instanceof TimeoutException || cause instanceof IOException
          || cause instanceof ClosedConnectionException || cause instanceof ConnectionPoolTooBusyException) {
        return true;
      }
      if (cause instanceof PgException pg) {
        return pgOutage(pg.getSqlState());
      }
      if (isRedisReply(cause)) {
        return redisUnavailable(cause.getMessage());
      }
      if (cause instanceof VertxException && "Connection is closed".equals(cause.getMessage())) {
        return true; // the Redis client, sending on a connection that just closed
      }
      if (cause instanceof VertxException && cause.getMessage() != null
          && cause.getMessage().startsWith("Failed obtaining connection to")) {
        return true; // the Redis Cluster client, for a node that does not answer (a master failing over)
      }
    }
    return false;
  }

  private static boolean pgOutage(String sqlState) {
    if (sqlState == null || sqlState.length() < 2) {
      return false;
    }
    return PG_UNAVAILABLE_CLASSES.contains(sqlState.substring(0, 2)) || sqlState.startsWith("57P")
        || PG_TIMEOUTS.contains(sqlState);
  }

  /** An error reply of Redis, or one the client makes up for its queue (CONNECTION_CLOSED): a Throwable that is a Response. */
  private static boolean isRedisReply(Throwable cause) {
    return cause instanceof Response reply && reply.type() == ResponseType.ERROR;
  }

  /**
   * A reply's code, or, for a pipeline (the client reports one line per failed command, "ERR [i]
   * CODE ..."), every line's: the pipeline failed for want of Redis if every command did.
   */
  private static boolean redisUnavailable(String message) {
    if (message == null) {
      return false;
    }
    return message.lines().allMatch(line -> REDIS_UNAVAILABLE_CODES.contains(firstWord(PIPELINE_LINE.matcher(line)
        .replaceFirst(""))));
  }

  private static String firstWord(String message) {
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }
}
