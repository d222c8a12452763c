package bolt.support;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link Vertx} and a {@link TestEnv} on it, created and closed for a test class, so that each
 * class does not repeat the create / {@code env.close()} / {@code vertx.close()} lifecycle.
 * Register it in a static field:
 *
 * <pre>{@code @RegisterExtension static final TestEnvExtension world = TestEnvExtension.perClass();}</pre>
 * and take {@link #vertx()} and {@link #env()} in {@code @BeforeAll} (or {@code @BeforeEach}).
 *
 * <p>{@link #perClass()} shares one environment by all tests of the class; {@link #perTest()} gives
 * each test a fresh one. Either way the class's own {@code @BeforeAll}/{@code @BeforeEach} run after
 * the environment exists and its {@code @AfterAll}/{@code @AfterEach} (closing what they opened on
 * it, such as HTTP clients) before it is closed. Closing also waits for the Vertx to close.
 */
public final class TestEnvExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {

  private final boolean perTest;
  private Vertx vertx;
  private TestEnv env;

  private TestEnvExtension(boolean perTest) {
    this.perTest = perTest;
  }

  /** One Vertx and TestEnv for the whole class. */
  public static TestEnvExtension perClass() {
    return new TestEnvExtension(false);
  }

  /** A fresh Vertx and TestEnv for each test. */
  public static TestEnvExtension perTest() {
    return new TestEnvExtension(true);
  }

  public Vertx vertx() {
    return vertx;
  }

  public TestEnv env() {
    return env;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!perTest) {
      open();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!perTest) {
      close();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (perTest) {
      open();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      close();
    }
  }

  private void open() {
    vertx = Vertx.vertx();
    env = TestEnv.create(vertx);
  }

  /** Closes the env (undeploys Bolt, deletes its keys and database), then the Vertx, even if that fails. */
  private void close() {
    try {
      if (env != null) {
        env.close();
      }
    } finally {
      env = null;
      if (vertx != null) {
        Waits.await(vertx.close());
        vertx = null;
      }
    }
  }
}
