package bolt.metrics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Counts kept per thread add up to what every thread added, whichever thread reads them. */
class PerThreadCountTest {

  @Test
  void theSumIsEveryThreadsAdditionsAndDecrementsOnceTheyAreDone() throws InterruptedException {
    PerThreadCount count = new PerThreadCount();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int adds = 100_000 * (t + 1);
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < adds; i++) {
          count.add(1);
          if (i % 2 == 0) {
            count.add(-1);
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    // each thread leaves half its additions: 50,000 * (1 + 2 + 3 + 4)
    assertThat(count.sum()).isEqualTo(500_000.0);
    count.add(-500_000);
    assertThat(count.sum()).isZero();
  }
}
