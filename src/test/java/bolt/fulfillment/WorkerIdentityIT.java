package bolt.fulfillment;

import bolt.support.BoltProcess;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two worker processes started with the same BOLT_WORKER_ID would share processing lists and
 * heartbeats, and when one died the other would keep its jobs from ever being reaped. The second
 * process refuses to start while the first is alive, and says why.
 */
class WorkerIdentityIT {

  private static final Duration START = Duration.ofSeconds(120);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void aSecondProcessWithALiveWorkersIdRefusesToStart() {
    TestEnv env = world.env();
    Map<String, String> twin = Map.of("BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1",
        "BOLT_WORKER_ID", "twin");
    try (BoltProcess first = BoltProcess.startReady("identity-first", BoltProcess.environment(env, twin), START);
         BoltProcess second = BoltProcess.start("identity-second", BoltProcess.environment(env, twin))) {
      assertThat(second.waitFor(START)).as("exit code of the duplicate\n%s", second.tail(20)).isEqualTo(1);
      assertThat(second.stdout()).contains("worker id twin-1 is held by another live process");
      assertThat(first.isAlive()).isTrue();
      assertThat(first.logContains("held by another")).as("the first process was never disturbed").isFalse();
    }
  }
}
