package bolt.support;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** How the tests wait: for a future, with a bound; for a condition, by polling with a deadline. */
public final class Waits {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private Waits() {
  }

  /** The future's result, or an AssertionError when it has none within 30 s. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT.toSeconds() + " s", e);
    }
  }

  /** Polls until the condition holds, failing with {@code what} after the deadline. */
  public static void eventually(Duration deadline, String what, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + deadline.toSeconds() + " s waiting for: " + what);
      }
      pause(50);
    }
  }

  /** The one sleep of the tests: between polls, or for a deliberately random moment. */
  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
