import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The refusal ceiling of bench/hot.sh: a bare Vert.x server that reads each request's body and
 * answers a constant 400 INSUFFICIENT_STOCK JSON body, nothing else: the fastest a sold-out
 * product could be refused on this machine. Runs from the fat jar's classpath:
 *   java -cp target/bolt.jar bench/ceiling/RefusalCeiling.java PORT INSTANCES
 */
public class RefusalCeiling extends AbstractVerticle {

  private static final Buffer REFUSAL = Buffer.buffer(
      "{\"error\":\"INSUFFICIENT_STOCK\",\"message\":\"only 0 left of flash, asked for 1\",\"available\":0,\"requested\":1}");

  private final int port;

  RefusalCeiling(int port) {
    this.port = port;
  }

  @Override
  public void start() {
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(request -> request.body().onSuccess(body -> request.response().setStatusCode(400)
            .putHeader("Content-Type", "application/json").end(REFUSAL)))
        .listen(port);
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx.vertx().deployVerticle(() -> new RefusalCeiling(port), new DeploymentOptions().setInstances(Integer.parseInt(args[1])))
        .onSuccess(id -> System.out.println("refusal ceiling listening on " + port))
        .onFailure(failure -> {
          failure.printStackTrace();
          System.exit(1);
        });
  }
}
