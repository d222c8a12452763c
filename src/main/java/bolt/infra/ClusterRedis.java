package bolt.infra;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * Cluster mode's shared client: one long-lived connection of vertx-redis-client's cluster client (a
 * connection to each node, each command routed by its keys' slot, MOVED and ASK followed, the slot map
 * refreshed every second), rebuilt in the background when a command fails for want of a connection.
 *
 * <p>Why not the cluster client's own {@code send}: it opens a cluster connection per command, and
 * that connects to every node and fails while any node is down, so a master failing over would make
 * every shard unavailable. A connection made before keeps serving the other masters' slots, and once
 * the replica is promoted and the slot map refreshed, the failed slots too.
 */
public final class ClusterRedis implements Redis {

  /** Rebuild attempts are at least this far apart. */
  private static final long REBUILD_INTERVAL_MS = 250;

  private final Vertx vertx;
  private final Redis client;
  private Future<RedisConnection> current;
  private boolean rebuilding;
  private boolean closed;
  private long lastRebuild;

  public ClusterRedis(Vertx vertx, Redis client) {
    this.vertx = vertx;
    this.client = client;
  }

  @Override
  public Future<RedisConnection> connect() {
    return client.connect();
  }

  @Override
  public Future<Response> send(Request command) {
    return connection().compose(conn -> conn.send(command)).onFailure(this::failed);
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return connection().compose(conn -> conn.batch(commands)).onFailure(this::failed);
  }

  @Override
  public synchronized Future<Void> close() {
    closed = true;
    Future<RedisConnection> last = current;
    current = null;
    Future<Void> released = last == null ? Future.succeededFuture()
        : last.compose(RedisConnection::close).otherwiseEmpty();
    return released.eventually(client::close);
  }

  private synchronized Future<RedisConnection> connection() {
    if (closed) {
      return Future.failedFuture("client closed");
    }
    if (current == null || current.failed()) {
      current = client.connect();
    }
    return current;
  }

  /** A Redis error reply says nothing about the connection; anything else may mean a node's connection broke. */
  private void failed(Throwable failure) {
    if (!(failure instanceof Response)) {
      rebuild();
    }
  }

  /** Makes a fresh connection and swaps it in; the old one keeps serving until then. */
  private synchronized void rebuild() {
    long now = System.currentTimeMillis();
    if (rebuilding || current == null || !current.succeeded() || now - lastRebuild < REBUILD_INTERVAL_MS) {
      return;
    }
    rebuilding = true;
    lastRebuild = now;
    client.connect().onComplete(done -> swap(done.succeeded() ? done.result() : null));
  }

  private synchronized void swap(RedisConnection fresh) {
    rebuilding = false;
    if (fresh == null) {
      return;
    }
    if (closed) {
      fresh.close();
      return;
    }
    Future<RedisConnection> old = current;
    current = Future.succeededFuture(fresh);
    if (old != null && old.succeeded()) {
      // commands already sent on it still get their answers, or fail as they would have
      vertx.setTimer(5_000, id -> old.result().close());
    }
  }
}
