package bolt.console;

import bolt.metrics.BoltMetrics;
import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /admin/stream: behind the token; a history event, then one snapshot a second made once for
 * every viewer (three viewers get the same snapshots, and the process makes one a second, not
 * three); nothing is made while nobody watches; the snapshot shows the sale as it is.
 */
class ConsoleStreamTest {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static TestEnv env;
  private static Http http;

  @BeforeAll
  static void start() {
    env = world.env();
    env.createProduct("lamp", 50);
    int port = env.start(Map.of()).httpPort();
    http = new Http(world.vertx(), port);
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  @Test
  void theStreamNeedsTheAdminToken() {
    assertThat(http.get("/admin/stream").statusCode()).isEqualTo(401);
    assertThat(http.get("/admin/stream", Http.bearer("not-the-token")).statusCode()).isEqualTo(401);
  }

  @Test
  void oneSnapshotASecondForEveryViewerAndNoneWhileNobodyWatches() throws Exception {
    double before = snapshotsMade();
    Waits.pause(1_500);
    assertThat(snapshotsMade()).as("snapshots made while nobody watched").isEqualTo(before);

    assertThat(http.post("/order", new JsonObject().put("productId", "lamp").put("quantity", 3)).statusCode())
        .isEqualTo(202);
    List<EventStream> viewers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      viewers.add(EventStream.open(http.port(), TestEnv.ADMIN_TOKEN));
    }
    long opened = System.nanoTime();
    double atOpen = snapshotsMade();
    List<Set<String>> seen = new ArrayList<>();
    for (EventStream viewer : viewers) {
      assertThat(viewer.next().getString("event")).isEqualTo("history");
      Set<String> instants = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        JsonObject snapshot = viewer.next();
        assertThat(snapshot.getString("event")).isEqualTo("snapshot");
        instants.add(snapshot.getJsonObject("data").getString("at"));
      }
      seen.add(instants);
    }
    double seconds = (System.nanoTime() - opened) / 1e9;
    double made = snapshotsMade() - atOpen;
    // three viewers, yet one snapshot a second (plus the one made for the first viewer at once)
    assertThat(made).as("snapshots made in %.1f s for three viewers", seconds).isLessThanOrEqualTo(seconds + 2);
    assertThat(seen.get(1)).as("the viewers got the same snapshots").containsAnyElementsOf(seen.get(0));
    assertThat(seen.get(2)).containsAnyElementsOf(seen.get(0));

    JsonObject lamp = viewers.get(0).nextSnapshot().getJsonArray("products").getJsonObject(0);
    assertThat(lamp.getString("id")).isEqualTo("lamp");
    Waits.eventually(Duration.ofSeconds(15), "the snapshot shows 3 of 50 lamps sold", () -> {
      JsonObject shown = viewers.get(0).nextSnapshot().getJsonArray("products").getJsonObject(0);
      return shown.getLong("stock") == 47 && shown.getLong("available") == 47 && shown.getLong("inflight") == 0
          && shown.getLong("sold") == 3;
    });
    JsonObject snapshot = viewers.get(0).nextSnapshot();
    assertThat(snapshot.getJsonObject("health")).isEqualTo(new JsonObject().put("redis", "UP").put("postgres", "UP"));
    assertThat(snapshot.getJsonObject("backlog").getLong("total")).isZero();
    assertThat(snapshot.getJsonObject("deadLetters").getLong("count")).isZero();
    assertThat(snapshot.getInteger("workers")).isEqualTo(2);

    viewers.forEach(EventStream::close);
    Waits.eventually(Duration.ofSeconds(10), "the viewers gone", () -> gauge("bolt.console.viewers") == 0);
    double stopped = snapshotsMade();
    Waits.pause(1_500);
    assertThat(snapshotsMade()).as("snapshots made after the last viewer left").isLessThanOrEqualTo(stopped + 1);
  }

  private static double snapshotsMade() {
    return env.metrics().registry().get("bolt.console.snapshots").counter().count();
  }

  private static double gauge(String name) {
    BoltMetrics metrics = env.metrics();
    return metrics.registry().get(name).gauge().value();
  }

  /** One client of the stream: a thread reads its server-sent events into a queue of {event, data}. */
  private static final class EventStream implements AutoCloseable {
    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final InputStream body;

    private EventStream(InputStream body) {
      this.body = body;
      Thread reader = new Thread(this::read, "event-stream-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static EventStream open(int port, String token) throws IOException, InterruptedException {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/stream"))
          .header("Authorization", "Bearer " + token).GET().build();
      HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
      return new EventStream(response.body());
    }

    private void read() {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String name = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("event: ")) {
            name = line.substring(7);
          } else if (line.startsWith("data: ")) {
            events.add(new JsonObject().put("event", name).put("data", new JsonObject(line.substring(6))));
          }
        }
      } catch (IOException closed) {
        // closed by the test
      }
    }

    JsonObject next() throws InterruptedException {
      JsonObject event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).as("an event within 10 s").isNotNull();
      return event;
    }

    /** The data of the next snapshot event. */
    JsonObject nextSnapshot() {
      try {
        JsonObject event;
        do {
          event = next();
        } while (!"snapshot".equals(event.getString("event")));
        return event.getJsonObject("data");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }
}
