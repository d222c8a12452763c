package bolt.infra;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line when a backend stops answering and one when it answers again, with how long it was away
 * and how many calls failed meanwhile: per backend and per process, however many event loops,
 * workers and requests run into the outage. An outage is expected; it gets no stack trace.
 */
final class OutageLog {

  private static final Logger LOG = LoggerFactory.getLogger(OutageLog.class);
  /**
   * A backend is back once it answers after this long without a failure: calls already in flight
   * when it went away may still succeed, and must not end the outage in its first milliseconds.
   */
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final Map<String, Outage> OUTAGES = new ConcurrentHashMap<>();

  private static final class Outage {
    private final long startedNanos = System.nanoTime();
    private final AtomicLong failedCalls = new AtomicLong();
    private volatile long lastFailureNanos = startedNanos;
  }

  private OutageLog() {
  }

  static void failed(String backend, Throwable cause) {
    Outage outage = OUTAGES.get(backend);
    if (outage == null) {
      Outage started = new Outage();
      outage = OUTAGES.putIfAbsent(backend, started);
      if (outage == null) {
        outage = started;
        LOG.warn("{} is not answering: {}", backend, reason(cause));
      }
    }
    outage.lastFailureNanos = System.nanoTime();
    outage.failedCalls.incrementAndGet();
  }

  /** On the hot path: one read of an empty map while every backend answers. */
  static void answered(String backend) {
    if (OUTAGES.isEmpty()) {
      return;
    }
    Outage outage = OUTAGES.get(backend);
    if (outage != null && System.nanoTime() - outage.lastFailureNanos >= QUIET_NANOS
        && OUTAGES.remove(backend, outage)) {
      LOG.warn("{} is answering again after {} ms; {} calls failed meanwhile", backend,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outage.startedNanos), outage.failedCalls.get());
    }
  }

  /** The failure's message on one line (a pipeline's error lists one line per command). */
  private static String reason(Throwable cause) {
    if (cause == null || cause.getMessage() == null) {
      return cause == null ? "no reason given" : cause.getClass().getSimpleName();
    }
    return cause.getMessage().replaceAll("\\s*\\R\\s*", "; ");
  }
}
