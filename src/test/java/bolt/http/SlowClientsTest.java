package bolt.http;

import bolt.support.Http;
import bolt.support.LogCapture;
import bolt.support.RawHttp;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that hold connections without using them: heads trickled in a byte a second (slowloris),
 * kept-alive connections left idle, and more connections than a process takes. Each is closed by
 * its deadline or refused at once, while a normal client keeps being served quickly.
 */
class SlowClientsTest {

  private static final long HEADER_TIMEOUT_MS = 1_500;
  private static final long IDLE_TIMEOUT_MS = 1_000;
  /** What a close may lag behind its deadline on a busy 2-core machine. */
  private static final long SLACK_MS = 1_000;
  private static final int MAX_CONNECTIONS = 20;
  private static final JsonObject ORDER = new JsonObject().put("productId", "p1").put("quantity", 1);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static int port;
  private static EdgeCounters counters;
  private static int cappedPort;
  private static EdgeCounters cappedCounters;
  private static NetClient net;
  private static LogCapture log;

  @BeforeAll
  static void start() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct("p1", 1_000_000);
    port = env.start(Map.of("BOLT_ROLES", "http",
        "BOLT_HTTP_HEADER_TIMEOUT_MS", String.valueOf(HEADER_TIMEOUT_MS),
        "BOLT_HTTP_IDLE_TIMEOUT_MS", String.valueOf(IDLE_TIMEOUT_MS))).httpPort();
    counters = env.edge();
    cappedPort = env.start(Map.of("BOLT_ROLES", "http",
        "BOLT_HTTP_MAX_CONNECTIONS", String.valueOf(MAX_CONNECTIONS))).httpPort();
    cappedCounters = env.edge();
    net = vertx.createNetClient();
    log = LogCapture.attach();
  }

  @AfterAll
  static void stop() {
    log.close();
    Waits.await(net.close());
  }

  @BeforeEach
  void clearLog() {
    log.clear();
  }

  @AfterEach
  void noErrorLogged() {
    assertThat(log.errorsAndStackTraces()).isEmpty();
  }

  /**
   * A connection of the test: when it was opened and its request sent (both before the server could
   * see them), when its answer came, when the server closed it.
   */
  private static final class Probe {
    final long openedNanos = System.nanoTime();
    volatile long sentNanos;
    volatile long answeredNanos;
    volatile long closedNanos;
    volatile NetSocket socket;

    long lifeMs(long fromNanos) {
      return (closedNanos - fromNanos) / 1_000_000;
    }
  }

  private static List<Probe> connect(int count, int toPort) {
    List<Probe> probes = Collections.synchronizedList(new ArrayList<>());
    List<Future<NetSocket>> connected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Probe probe = new Probe();
      probes.add(probe);
      connected.add(net.connect(toPort, "127.0.0.1").onSuccess(socket -> {
        probe.socket = socket;
        socket.handler(data -> probe.answeredNanos = System.nanoTime());
        socket.closeHandler(closed -> probe.closedNanos = System.nanoTime());
      }));
    }
    Waits.await(Future.all(connected));
    return probes;
  }

  @Test
  void slowlorisConnectionsAreClosedAtTheHeaderTimeoutWhileOthersAreServed() {
    try (Http http = new Http(vertx, port, 1)) {
      for (int i = 0; i < 200; i++) {
        http.post("/order", ORDER); // warm-up, so that the measure is of the server, not the JIT
      }
      long before = counters.headerTimeouts();
      List<Probe> slow = connect(100, port);
      byte[] head = "GET /products HTTP/1.1\r\nHost: bolt\r\nX-Padding: slowly\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      long trickle = vertx.setPeriodic(0, 1_000, tick -> slow.forEach(probe -> {
        int next = (int) ((System.nanoTime() - probe.openedNanos) / 1_000_000_000L);
        if (probe.closedNanos == 0 && next < head.length) {
          probe.socket.write(Buffer.buffer(new byte[] {head[next]}));
        }
      }));
      List<Long> latenciesMs = new ArrayList<>();
      try {
        while (slow.stream().anyMatch(probe -> probe.closedNanos == 0)
            && System.nanoTime() - slow.get(0).openedNanos < (HEADER_TIMEOUT_MS + SLACK_MS) * 1_000_000) {
          long sent = System.nanoTime();
          assertThat(http.post("/order", ORDER).statusCode()).isEqualTo(202);
          latenciesMs.add((System.nanoTime() - sent) / 1_000_000);
        }
      } finally {
        vertx.cancelTimer(trickle);
      }

      for (Probe probe : slow) {
        assertThat(probe.closedNanos).as("every slowloris connection closed").isPositive();
        assertThat(probe.lifeMs(probe.openedNanos)).isBetween(HEADER_TIMEOUT_MS, HEADER_TIMEOUT_MS + SLACK_MS);
        assertThat(probe.answeredNanos).as("no answer to a head never completed").isZero();
      }
      assertThat(counters.headerTimeouts() - before).isEqualTo(100);
      Collections.sort(latenciesMs);
      assertThat(latenciesMs.size()).isGreaterThan(20);
      long p99 = latenciesMs.get((int) Math.ceil(latenciesMs.size() * 0.99) - 1);
      assertThat(p99).as("p99 of %d orders placed meanwhile, ms", latenciesMs.size()).isLessThan(50);
    }
  }

  @Test
  void idleKeptAliveConnectionsAreClosedAtTheIdleTimeout() {
    long before = counters.idleTimeouts();
    List<Probe> idle = connect(500, port);
    idle.forEach(probe -> {
      probe.sentNanos = System.nanoTime();
      probe.socket.write("GET /health/live HTTP/1.1\r\nHost: bolt\r\n\r\n");
    });

    Waits.eventually(Duration.ofMillis(IDLE_TIMEOUT_MS + SLACK_MS + 5_000), "all 500 connections closed",
        () -> idle.stream().allMatch(probe -> probe.closedNanos != 0));
    for (Probe probe : idle) {
      assertThat(probe.answeredNanos).as("answered before it idled").isPositive();
      // the server's idle clock starts between the request's sending and its answer's arrival
      assertThat(probe.lifeMs(probe.sentNanos)).isGreaterThanOrEqualTo(IDLE_TIMEOUT_MS);
      assertThat(probe.lifeMs(probe.answeredNanos)).isLessThanOrEqualTo(IDLE_TIMEOUT_MS + SLACK_MS + 5_000);
    }
    assertThat(counters.idleTimeouts() - before).isEqualTo(500);
  }

  @Test
  void connectionsBeyondTheCapAreRefusedAtOnceAndAcceptedAgainWhenSomeClose() {
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        RawHttp http = new RawHttp(cappedPort);
        held.add(http);
        assertThat(http.send(get()).read().status()).isEqualTo(200);
      }
      assertThat(cappedCounters.openConnections()).isEqualTo(MAX_CONNECTIONS);

      for (int i = 0; i < 5; i++) {
        try (RawHttp refused = new RawHttp(cappedPort)) {
          assertThat(refused.closedByServer(Duration.ofSeconds(5))).as("connection beyond the cap closed").isTrue();
        }
      }
      assertThat(cappedCounters.refusedConnections()).isEqualTo(5);

      held.remove(0).close();
      Waits.eventually(Duration.ofSeconds(10), "a held connection's close seen",
          () -> cappedCounters.openConnections() < MAX_CONNECTIONS);
      try (RawHttp again = new RawHttp(cappedPort)) {
        assertThat(again.send(get()).read().status()).isEqualTo(200);
      }
      // the held connections were served throughout
      assertThat(held.get(0).send(get()).read().status()).isEqualTo(200);
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  private static String get() {
    return "GET /health/live HTTP/1.1\r\nHost: bolt\r\n\r\n";
  }
}
