package bolt.infra;

import bolt.config.BoltConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.List;

/** Builds the Redis and PostgreSQL clients from configuration; one place for their tuning. */
public final class Clients {

  private Clients() {
  }

  /**
   * A pooled Redis client; connections are made lazily, so a Redis that is down does not stop start-up.
   * In cluster mode, one long-lived cluster connection ({@link ClusterRedis}).
   */
  public static Redis redis(Vertx vertx, BoltConfig config) {
    Redis client = Redis.createClient(vertx, redisOptions(config)
        .setPoolName("bolt-redis")
        .setMaxPoolSize(config.redisPoolSize())
        // under a burst every request waits for a connection rather than failing at once
        .setMaxPoolWaiting(8192)
        .setMaxWaitingHandlers(8192));
    return config.redis().cluster() ? new ClusterRedis(vertx, client) : client;
  }

  /**
   * Options for a single dedicated connection (the workers' blocking BLMOVE); in cluster mode, for a
   * cluster connection (one connection per node, commands routed by slot).
   */
  public static RedisOptions redisOptions(BoltConfig config) {
    RedisOptions options = new RedisOptions()
        // the pool_name label of Vert.x's pool metrics: the same for every client of a kind, so the
        // series are summed over verticle instances and stay the same across restarts
        .setPoolName("bolt-redis-blocking")
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) config.redisTimeoutMs())
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    if (!config.redis().cluster()) {
      return options.setConnectionString(config.redisUrl());
    }
    options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
    config.redis().seeds().forEach(options::addConnectionString);
    return options;
  }

  /**
   * Options for a pub/sub subscriber: the Redis server, or in cluster mode one seed node (the
   * {@code attempt}-th, round robin), since Redis Cluster carries every PUBLISH to every node.
   */
  public static RedisOptions subscriberOptions(BoltConfig config, int attempt) {
    if (!config.redis().cluster()) {
      return redisOptions(config);
    }
    List<String> seeds = config.redis().seeds();
    return new RedisOptions().setPoolName("bolt-redis-blocking")
        .setConnectionString(seeds.get(Math.floorMod(attempt, seeds.size())))
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) config.redisTimeoutMs())
            .setTcpNoDelay(true).setTcpKeepAlive(true));
  }

  /**
   * A PostgreSQL pool whose sessions PostgreSQL itself keeps from hanging: a statement, a lock wait
   * or an idle moment inside a transaction longer than {@code postgres.txTimeoutMs} ends it. A
   * process frozen in the middle of a transaction (SIGSTOP, a long GC pause, a lost host) so loses
   * its transaction and frees its product row locks, instead of stopping every other writer.
   */
  public static Pool postgres(Vertx vertx, BoltConfig config, int size) {
    String bound = String.valueOf(config.pgTxTimeoutMs());
    PgConnectOptions connect = PgConnectOptions.fromUri(config.pgUrl())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .addProperty("statement_timeout", bound)
        .addProperty("lock_timeout", bound)
        .addProperty("idle_in_transaction_session_timeout", bound);
    return PgBuilder.pool()
        .with(new PoolOptions().setName("bolt-postgres").setMaxSize(size).setMaxWaitQueueSize(4096))
        .with(new NetClientOptions().setConnectTimeout((int) config.redisTimeoutMs()).setTcpNoDelay(true))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }
}
