package bolt.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The packaged jar ({@code java -jar target/bolt.jar}) as a child process, for the failsafe tests that
 * crash, stop or misconfigure a real Bolt. Runs in the project root so conf/config.json is found; its
 * stdout and stderr go to files under target/it-logs, and every failure message ends with their tail.
 */
public final class BoltProcess implements AutoCloseable {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Path LOG_DIR = Path.of("target", "it-logs");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Map<String, String> environment;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private BoltProcess(String name, Map<String, String> environment, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.environment = environment;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The jar failsafe was told about (system property bolt.jar), else target/bolt.jar. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("bolt.jar", "target/bolt.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run ./mvnw package (or verify) first");
    }
    return jar;
  }

  /**
   * Starts {@code java -jar bolt.jar args...} with exactly these BOLT_* variables (inherited BOLT_*
   * variables are removed, so a developer's shell cannot change what a test runs). Does not wait.
   */
  public static BoltProcess start(String name, Map<String, String> environment, String... args) {
    String unique = name + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    Path stdout = LOG_DIR.resolve(unique + ".out.log");
    Path stderr = LOG_DIR.resolve(unique + ".err.log");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // several of these share a busy 2-core machine with the test JVM and other engineers' runs
        "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar().toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(Path.of("").toAbsolutePath().toFile())
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().keySet().removeIf(variable -> variable.startsWith("BOLT_"));
    builder.environment().putAll(environment);
    try {
      Files.createDirectories(LOG_DIR);
      return new BoltProcess(name, Map.copyOf(environment), builder.start(), stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link TestEnv#environment()} (a fresh free HTTP port each call) with these overrides. */
  public static Map<String, String> environment(TestEnv env, Map<String, String> overrides) {
    Map<String, String> environment = new java.util.HashMap<>(env.environment());
    environment.putAll(overrides);
    return environment;
  }

  /** Starts and waits until {@link #awaitReady} says it serves. */
  public static BoltProcess startReady(String name, Map<String, String> environment, Duration deadline) {
    BoltProcess started = start(name, environment);
    try {
      return started.awaitReady(deadline);
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
  }

  /**
   * Waits until every configured verticle is deployed and the start-up sync is done (both logged),
   * then, for the HTTP role, until /health/live and /health answer 200.
   */
  public BoltProcess awaitReady(Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    awaitUntil(end, "the log says \"Bolt started\" and \"Schema ready\"",
        () -> logContains("Bolt started") && logContains("Schema ready"));
    if (runsHttp()) {
      awaitUntil(end, "GET /health/live answers 200", () -> status("/health/live") == 200);
      awaitUntil(end, "GET /health answers 200", () -> status("/health") == 200);
    }
    if (runsFulfillment()) {
      int instances = Integer.parseInt(environment.getOrDefault("BOLT_FULFILLMENT_INSTANCES", "2"));
      Pattern started = Pattern.compile("Worker \\S+ started");
      awaitUntil(end, instances + " workers started",
          () -> started.matcher(stdout()).results().count() >= instances);
    }
    return this;
  }

  /** Polls until the condition holds; fails early, with the log tail, if the process dies meanwhile. */
  public void awaitUntil(Duration deadline, String what, java.util.function.BooleanSupplier condition) {
    awaitUntil(System.nanoTime() + deadline.toNanos(), what, condition);
  }

  private void awaitUntil(long endNanos, String what, java.util.function.BooleanSupplier condition) {
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw failure("exited with " + process.exitValue() + " while waiting for: " + what);
      }
      if (System.nanoTime() > endNanos) {
        throw failure("timed out waiting for: " + what);
      }
      Waits.pause(100);
    }
  }

  public int httpPort() {
    return Integer.parseInt(environment.get("BOLT_HTTP_PORT"));
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: the JDK's destroyForcibly sends SIGKILL on Linux (exit value 137 = 128 + 9). */
  public void kill9() {
    process.destroyForcibly();
  }

  /** SIGTERM: the JDK's destroy sends SIGTERM on Linux, which Bolt handles as a graceful stop. */
  public void sigterm() {
    process.destroy();
  }

  /** Waits for the process to end and returns its exit code; fails with the log tail after the deadline. */
  public int waitFor(Duration deadline) {
    try {
      if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw failure("still running after " + deadline.toSeconds() + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public boolean logContains(String text) {
    return stdout().contains(text);
  }

  /** Everything the process wrote to stdout so far (its log). */
  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  /** The last lines of both streams, for failure messages. */
  public String tail(int lines) {
    return "--- " + name + " (pid " + process.pid() + ") stdout " + stdout + " ---\n" + lastLines(stdout(), lines)
        + "--- stderr " + stderr + " ---\n" + lastLines(stderr(), lines);
  }

  /** An AssertionError whose message ends with this process's log tail. */
  public AssertionError failure(String message) {
    return new AssertionError(name + ": " + message + "\n" + tail(40));
  }

  /** Kills the process (and any children) if it is still running. */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean runsHttp() {
    return roles().contains("http");
  }

  private boolean runsFulfillment() {
    return roles().contains("fulfillment")
        && !"0".equals(environment.getOrDefault("BOLT_FULFILLMENT_INSTANCES", "2"));
  }

  private String roles() {
    return environment.getOrDefault("BOLT_ROLES", "http,fulfillment");
  }

  private int status(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(Path file) {
    try {
      // bytes, not readString: a line being written may end in half a character
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lastLines(String text, int count) {
    List<String> lines = text.lines().toList();
    StringBuilder tail = new StringBuilder();
    lines.subList(Math.max(0, lines.size() - count), lines.size()).forEach(line -> tail.append(line).append('\n'));
    return tail.toString();
  }

}
