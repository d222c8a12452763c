package bolt.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * A small HTTP client for one Bolt: blocking calls for test threads, and {@link #sendAsync} for load.
 * Headers are given as name/value pairs: {@code post("/order", body, "Idempotency-Key", "k1")}.
 */
public final class Http implements AutoCloseable {

  private final WebClient client;
  private final int port;

  public Http(Vertx vertx, int port) {
    this(vertx, port, 8);
  }

  public Http(Vertx vertx, int port, int connections) {
    this.port = port;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  public int port() {
    return port;
  }

  public HttpResponse<Buffer> post(String path, JsonObject body, String... headers) {
    return send(HttpMethod.POST, path, body.toBuffer(), headers("Content-Type", "application/json", headers));
  }

  public HttpResponse<Buffer> get(String path, String... headers) {
    return send(HttpMethod.GET, path, null, headers);
  }

  /** Any request; a null body sends none. Content-Type is only sent when given in {@code headers}. */
  public HttpResponse<Buffer> send(HttpMethod method, String path, Buffer body, String... headers) {
    return Waits.await(sendAsync(method, path, body, headers));
  }

  public Future<HttpResponse<Buffer>> sendAsync(HttpMethod method, String path, Buffer body, String... headers) {
    var request = client.request(method, path);
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      map.add(headers[i], headers[i + 1]);
    }
    request.putHeaders(map);
    return body == null ? request.send() : request.sendBuffer(body);
  }

  /** A bearer token header pair for the admin API. */
  public static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  private static String[] headers(String name, String value, String... more) {
    String[] all = new String[more.length + 2];
    all[0] = name;
    all[1] = value;
    System.arraycopy(more, 0, all, 2, more.length);
    return all;
  }

  @Override
  public void close() {
    client.close();
  }
}
