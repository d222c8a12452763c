package bolt.metrics;

import bolt.support.BoltProcess;
import bolt.support.Http;
import bolt.support.PrometheusText;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as Prometheus and a log shipper see it: GET /metrics on the management port,
 * parsed as Prometheus parses it, moves with real orders (accepted, refused by reason, written,
 * batches, the products' units); the main port does not serve it; with BOLT_LOG_FORMAT=json every
 * log line is one JSON object with the stable fields.
 */
class MetricsIT {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static final HttpClient SCRAPER = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static TestEnv env;
  private static BoltProcess bolt;
  private static Http http;
  private static int metricsPort;

  @BeforeAll
  static void start() {
    env = world.env();
    env.createProduct("widget", 100);
    env.createProduct("few", 1);
    Map<String, String> environment = new HashMap<>(env.environment());
    environment.put("BOLT_LOG_FORMAT", "json");
    metricsPort = Integer.parseInt(environment.get("BOLT_METRICS_PORT"));
    bolt = BoltProcess.startReady("metrics", environment, Duration.ofSeconds(60));
    http = new Http(world.vertx(), bolt.httpPort());
  }

  @AfterAll
  static void stop() {
    http.close();
    bolt.close();
  }

  @Test
  void countersMoveWithRealOrders() {
    PrometheusText before = scrape();
    assertThat(before.type("bolt_orders_accepted_total")).isEqualTo("counter");
    assertThat(before.type("bolt_reserve_seconds")).isEqualTo("histogram");
    assertThat(before.value("bolt_product_available", "product", "widget")).isEqualTo(100);

    for (int i = 0; i < 5; i++) {
      assertThat(order("widget", 1).statusCode()).isEqualTo(202);
    }
    assertThat(order("few", 1).statusCode()).isEqualTo(202);
    assertThat(order("few", 1).statusCode()).isEqualTo(400);
    assertThat(order("no-such-product", 1).statusCode()).isEqualTo(404);

    PrometheusText after = scrape();
    assertThat(after.value("bolt_orders_accepted_total") - before.value("bolt_orders_accepted_total")).isEqualTo(6);
    assertThat(delta(before, after, "bolt_orders_refused_total", "reason", "INSUFFICIENT_STOCK")).isEqualTo(1);
    assertThat(delta(before, after, "bolt_orders_refused_total", "reason", "UNKNOWN_PRODUCT")).isEqualTo(1);
    // the last unit of "few" sold marks it sold out in this process: the refusal that follows
    // may come from that memory, without a script run, depending on how soon it arrives
    double fromMemory = delta(before, after, "bolt_orders_refused_from_memory_total");
    assertThat(fromMemory).isBetween(0.0, 1.0);
    assertThat(delta(before, after, "bolt_reserve_seconds_count") + fromMemory).isEqualTo(8);
    assertThat(after.sum("vertx_http_server_requests_total", "code", "202", "method", "POST")
        - before.sum("vertx_http_server_requests_total", "code", "202", "method", "POST")).isEqualTo(6);
    // the HTTP server's meters (HttpServerMeters) by route template, whichever way a request came in
    String[] accepted = {"code", "202", "method", "POST", "route", "/order"};
    assertThat(after.sum("vertx_http_server_requests_total", accepted)
        - before.sum("vertx_http_server_requests_total", accepted)).isEqualTo(6);
    assertThat(after.sum("vertx_http_server_response_time_seconds_count", accepted)
        - before.sum("vertx_http_server_response_time_seconds_count", accepted)).isEqualTo(6);
    String[] unknown = {"code", "404", "method", "POST", "route", "/order"};
    assertThat(after.sum("vertx_http_server_requests_total", unknown)
        - before.sum("vertx_http_server_requests_total", unknown)).isEqualTo(1);

    // the workers write the six orders; the gauges read Redis and PostgreSQL at scrape time
    Waits.eventually(Duration.ofSeconds(20), "six orders written, counted and settled in the gauges", () -> {
      PrometheusText now = scrape();
      return now.value("bolt_orders_written_total") == 6 && now.value("bolt_batch_size_jobs_sum") == 6
          && now.value("bolt_product_available", "product", "widget") == 95
          && now.value("bolt_product_inflight", "product", "widget") == 0
          && now.value("bolt_product_stock", "product", "widget") == 95
          && now.value("bolt_product_stock", "product", "few") == 0
          && now.value("bolt_queue_jobs") == 0 && now.value("bolt_processing_jobs") == 0;
    });
    PrometheusText settled = scrape();
    assertThat(settled.value("bolt_batch_transaction_seconds_count")).isGreaterThanOrEqualTo(1);
    assertThat(settled.value("bolt_batch_transaction_seconds_bucket", "le", "+Inf"))
        .isEqualTo(settled.value("bolt_batch_transaction_seconds_count"));
    assertThat(settled.value("bolt_dead_letters")).isZero();
    assertThat(settled.value("bolt_backend_up", "backend", "redis")).isEqualTo(1);
    assertThat(settled.value("bolt_backend_up", "backend", "postgres")).isEqualTo(1);
    assertThat(settled.value("bolt_workers")).isEqualTo(2);
    // a buyer's product id makes no label value: only products in the database have them
    assertThat(settled.samples()).noneMatch(sample -> sample.labels().containsValue("no-such-product"));
    assertThat(settled.named("bolt_product_available")).extracting(s -> s.labels().get("product"))
        .containsExactlyInAnyOrder("widget", "few");
    // Vert.x's own: the HTTP server by route template (never by path), the JVM, the pools
    assertThat(settled.samples()).noneMatch(sample -> String.valueOf(sample.labels().get("route")).contains("widget"));
    assertThat(settled.named("jvm_memory_used_bytes")).isNotEmpty();
    assertThat(settled.sum("vertx_pool_in_use", "pool_name", "bolt-postgres")).isGreaterThanOrEqualTo(0);
    assertThat(settled.named("vertx_pool_completed_total").stream().map(s -> s.labels().get("pool_name")))
        .contains("bolt-redis", "bolt-postgres");
  }

  @Test
  void theMainPortDoesNotServeMetrics() {
    var reply = http.get("/metrics");
    assertThat(reply.statusCode()).isEqualTo(404);
    assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo("NOT_FOUND");
  }

  @Test
  void jsonLogsHaveOneObjectPerLineWithStableFields() {
    bolt.awaitUntil(Duration.ofSeconds(10), "the workers' start lines", () -> bolt.logContains("Worker "));
    List<String> lines = bolt.stdout().lines().filter(line -> !line.isBlank()).toList();
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      JsonObject event = new JsonObject(line); // fails on anything but one JSON object
      assertThat(event.getLong("timestamp")).as(line).isPositive();
      assertThat(event.getString("level")).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(event.getString("loggerName")).as(line).isNotBlank();
      assertThat(event.getString("formattedMessage")).as(line).isNotBlank();
    }
    JsonObject workerStarted = lines.stream().map(JsonObject::new)
        .filter(event -> event.getString("formattedMessage").matches("Worker \\S+ started.*")).findFirst().orElseThrow();
    String workerId = workerStarted.getJsonArray("kvpList").getJsonObject(0).getString("workerId");
    assertThat(workerStarted.getString("formattedMessage")).startsWith("Worker " + workerId + " started");
    // no line per request: the orders of the other test left none
    assertThat(lines).noneMatch(line -> line.contains("/order"));
  }

  private io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> order(String product, int quantity) {
    return http.post("/order", new JsonObject().put("productId", product).put("quantity", quantity));
  }

  private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private static PrometheusText scrape() {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      HttpResponse<String> reply = SCRAPER.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      return PrometheusText.parse(reply.body());
    } catch (IOException e) {
      throw new AssertionError("no answer from /metrics on port " + metricsPort, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
