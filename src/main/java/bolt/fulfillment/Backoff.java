package bolt.fulfillment;

import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff with full jitter: workers that failed together do not retry together. */
final class Backoff {

  private final long baseMs;
  private final long capMs;
  private int failures;

  Backoff(long baseMs, long capMs) {
    this.baseMs = baseMs;
    this.capMs = capMs;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  long nextDelayMs() {
    long ceiling = Math.min(capMs, baseMs << Math.min(failures, 20));
    failures++;
    return baseMs + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling - baseMs + 1));
  }

  void reset() {
    failures = 0;
  }

  /** True on the first failure after a success: the moment worth one log line. */
  boolean isFirstFailure() {
    return failures == 1;
  }

  boolean failing() {
    return failures > 0;
  }
}
