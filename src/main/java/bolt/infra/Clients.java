package bolt.infra;

import bolt.config.BoltConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Builds the Redis and PostgreSQL clients from configuration; one place for their tuning. */
public final class Clients {

  private Clients() {
  }

  /** A pooled Redis client; connections are made lazily, so a Redis that is down does not stop start-up. */
  public static Redis redis(Vertx vertx, BoltConfig config) {
    return Redis.createClient(vertx, redisOptions(config)
        .setMaxPoolSize(config.redisPoolSize())
        // under a burst every request waits for a connection rather than failing at once
        .setMaxPoolWaiting(8192)
        .setMaxWaitingHandlers(8192));
  }

  /** Options for a single dedicated connection (the workers' blocking BLMOVE). */
  public static RedisOptions redisOptions(BoltConfig config) {
    return new RedisOptions()
        .setConnectionString(config.redisUrl())
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) config.redisTimeoutMs())
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
  }

  public static Pool postgres(Vertx vertx, BoltConfig config, int size) {
    PgConnectOptions connect = PgConnectOptions.fromUri(config.pgUrl())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(4096))
        .with(new NetClientOptions().setConnectTimeout((int) config.redisTimeoutMs()).setTcpNoDelay(true))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }
}
