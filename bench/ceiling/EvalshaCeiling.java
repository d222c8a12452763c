import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The intake ceiling of bench/hot.sh: a bare Vert.x server that, for each request, reads the body
 * (without parsing it), runs Bolt's own reserve.lua once for one order of one unit of product
 * p000..p099 in turn (EVALSHA, with a job made from a fresh id) and answers a constant 202 JSON
 * body: one reserve script per request and nothing else. Runs from the fat jar's classpath:
 *   java -cp target/bolt.jar bench/ceiling/EvalshaCeiling.java PORT INSTANCES REDIS_URL KEY_PREFIX
 */
public class EvalshaCeiling extends AbstractVerticle {

  private static final Buffer ACCEPTED = Buffer.buffer(
      "{\"orderId\":\"01930000-0000-7000-8000-000000000000\",\"status\":\"PENDING\",\"productId\":\"p000\","
          + "\"quantity\":1,\"available\":999999}");
  private static final Buffer FAILED = Buffer.buffer("{\"error\":\"INTERNAL\",\"message\":\"not reserved\"}");

  private final int port;
  private final String redisUrl;
  private final String tag;
  private final String sha;
  private int next;

  EvalshaCeiling(int port, String redisUrl, String prefix, String sha) {
    this.port = port;
    this.redisUrl = redisUrl;
    this.tag = "{" + prefix + "}:";
    this.sha = sha;
  }

  @Override
  public void start() {
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(16)
        .setMaxPoolWaiting(8192).setMaxWaitingHandlers(8192));
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(request -> request.body().onSuccess(body -> {
          String product = String.format("p%03d", next++ % 100);
          String id = UUID.randomUUID().toString();
          String job = "{\"orderId\":\"" + id + "\",\"productId\":\"" + product + "\",\"quantity\":1,\"createdAt\":0}";
          // reserve.lua's layout for a batch of one order (ReservationBatcher, OrderService.place):
          // KEYS queue, synced, pending, product; ARGV retention, "-" (no customer, no idempotency
          // key), quantity, job, its pending record (a batch of one: a record of its own, named by
          // the order's id as an earlier release's would be)
          Request evalsha = Request.cmd(Command.EVALSHA).arg(sha).arg(4).arg(tag + "queue").arg(tag + "synced")
              .arg(tag + "pending").arg(tag + "product:" + product)
              .arg(86400).arg("-").arg(1).arg(job).arg(id);
          // 202 only for a real reservation (the flat answer 1, available, 0), so a layout out of step
          // with the script shows as no accepted orders in bench/hot.sh rather than as a fast ceiling
          redis.send(evalsha).onComplete(done -> {
            boolean reserved = done.succeeded() && done.result().size() == 3
                && done.result().get(0).toInteger() == 1;
            request.response().setStatusCode(reserved ? 202 : 500)
                .putHeader("Content-Type", "application/json").end(reserved ? ACCEPTED : FAILED);
          });
        }))
        .listen(port);
  }

  public static void main(String[] args) throws IOException {
    String source;
    try (InputStream in = EvalshaCeiling.class.getClassLoader().getResourceAsStream("lua/reserve.lua")) {
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Vertx vertx = Vertx.vertx();
    Redis loader = Redis.createClient(vertx, args[2]);
    loader.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source)).compose(sha -> vertx.deployVerticle(
            () -> new EvalshaCeiling(Integer.parseInt(args[0]), args[2], args[3], sha.toString()),
            new DeploymentOptions().setInstances(Integer.parseInt(args[1]))))
        .onSuccess(id -> System.out.println("EVALSHA ceiling listening on " + args[0]))
        .onFailure(failure -> {
          failure.printStackTrace();
          System.exit(1);
        });
  }
}
