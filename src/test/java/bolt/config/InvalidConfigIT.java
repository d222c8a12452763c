package bolt.config;

import bolt.support.BoltProcess;
import bolt.support.TestEnv;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar refuses a bad configuration the way an operator needs: exit code 2, at once, and
 * one line on stderr that names the setting (not a stack trace, not a half-started server).
 */
class InvalidConfigIT {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void aPortThatIsNotANumberIsNamed() {
    assertRefused(Map.of("BOLT_HTTP_PORT", "abc"), List.of(), "BOLT_HTTP_PORT");
  }

  @Test
  void aMissingConfigFileIsNamed() {
    assertRefused(Map.of(), List.of("--conf", "/nonexistent.json"), "--conf");
  }

  @Test
  void anUnknownRoleIsNamed() {
    assertRefused(Map.of("BOLT_ROLES", "web"), List.of(), "BOLT_ROLES");
  }

  private static void assertRefused(Map<String, String> overrides, List<String> args, String setting) {
    try (BoltProcess bolt = BoltProcess.start("invalid-config", environment(overrides), args.toArray(String[]::new))) {
      int exit = bolt.waitFor(DEADLINE);
      List<String> stderr = bolt.stderr().lines().toList();
      assertThat(exit).as("exit code\n%s", bolt.tail(20)).isEqualTo(2);
      assertThat(stderr).as("stderr\n%s", bolt.tail(20)).hasSize(1);
      assertThat(stderr.get(0)).contains(setting);
    }
  }

  /**
   * Backends nobody listens on and a prefix of its own: were the setting wrongly accepted, the process
   * would start without touching anyone's data (and be killed when the test fails).
   */
  private static Map<String, String> environment(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("BOLT_REDIS_URL", "redis://127.0.0.1:1");
    env.put("BOLT_PG_URL", "postgresql://bolt:bolt@127.0.0.1:1/nowhere");
    env.put("BOLT_KEY_PREFIX", "invalid-config-" + UUID.randomUUID());
    env.put("BOLT_SEED_DEMO", "false");
    env.put("BOLT_HTTP_PORT", String.valueOf(TestEnv.freePort()));
    env.putAll(overrides);
    return env;
  }
}
