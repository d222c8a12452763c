package bolt.http;

import bolt.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

/**
 * GET /health (both backends, bounded in time, and whether start-up work is done) and GET
 * /health/live (the process).
 */
final class HealthHandler {

  private final Redis redis;
  private final Pool pool;
  private final long timeoutMs;
  private final Future<Void> started;

  HealthHandler(Redis redis, Pool pool, long timeoutMs, Future<Void> started) {
    this.redis = redis;
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.started = started;
  }

  void ready(RoutingContext ctx) {
    Future<String> redisUp = status(redis.send(Request.cmd(Command.PING)));
    Future<String> postgresUp = status(pool.query("SELECT 1").execute());
    Future.join(redisUp, postgresUp).onComplete(done -> {
      boolean up = "UP".equals(redisUp.result()) && "UP".equals(postgresUp.result());
      boolean ready = up && started.isComplete();
      ctx.response().setStatusCode(ready ? 200 : 503);
      if (!ready) {
        ctx.response().putHeader("Retry-After", Errors.RETRY_AFTER_SECONDS);
      }
      ctx.json(new JsonObject()
          .put("status", ready ? "UP" : up ? "STARTING" : "DOWN")
          .put("redis", redisUp.result())
          .put("postgres", postgresUp.result()));
    });
  }

  void live(RoutingContext ctx) {
    ctx.json(new JsonObject().put("status", "UP"));
  }

  private Future<String> status(Future<?> probe) {
    return Unavailable.guard("probe", timeoutMs, probe).map(ok -> "UP").otherwise("DOWN");
  }
}
