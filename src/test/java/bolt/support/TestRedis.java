package bolt.support;

import bolt.infra.ClusterRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The suite's Redis: one server (BOLT_TEST_REDIS_URL) or the local Redis Cluster of
 * scripts/cluster.sh (BOLT_TEST_REDIS_MODE=cluster, seeds in BOLT_TEST_REDIS_URLS), and the reads
 * that differ between the two (a SCAN sees one node of a cluster only).
 */
public final class TestRedis {

  /** standalone or cluster. */
  public static final String MODE = System.getenv().getOrDefault("BOLT_TEST_REDIS_MODE", "standalone");
  /** The seed nodes of the test cluster, comma-separated. */
  public static final String URLS = System.getenv().getOrDefault("BOLT_TEST_REDIS_URLS",
      "redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003");
  /** Every node of scripts/cluster.sh's cluster, masters and replicas. */
  private static final int FIRST_PORT = 7001;
  private static final int LAST_PORT = 7006;

  private TestRedis() {
  }

  public static boolean cluster() {
    return MODE.equals("cluster");
  }

  /** The client a test environment shares: commands routed by slot on a cluster. */
  static Redis shared(Vertx vertx) {
    return cluster() ? new ClusterRedis(vertx, client(vertx)) : client(vertx);
  }

  /** A fresh client of the suite's Redis. */
  static Redis client(Vertx vertx) {
    if (!cluster()) {
      return Redis.createClient(vertx, TestEnv.REDIS_URL);
    }
    RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER).setMaxPoolSize(8)
        .setMaxPoolWaiting(64);
    for (String seed : URLS.split(",")) {
      options.addConnectionString(seed.trim());
    }
    return Redis.createClient(vertx, options);
  }

  /** Keys matching {@code match}: from {@code redis}, or on a cluster from every node. */
  static Set<String> scan(Vertx vertx, Redis redis, String match) {
    Set<String> found = new TreeSet<>();
    if (!cluster()) {
      scan(redis, match, found);
      return found;
    }
    for (String node : nodes()) {
      Redis client = Redis.createClient(vertx, node);
      try {
        scan(client, match, found);
      } finally {
        client.close();
      }
    }
    return found;
  }

  /** As {@link #scan}, skipping a node that is down (a failover test's): its replica has its keys. */
  static Set<String> scanQuietly(Vertx vertx, Redis redis, String match) {
    if (!cluster()) {
      return scan(vertx, redis, match);
    }
    Set<String> found = new TreeSet<>();
    for (String node : nodes()) {
      Redis client = Redis.createClient(vertx, node);
      try {
        scan(client, match, found);
      } catch (RuntimeException | AssertionError down) {
        // that node does not answer: its keys are on its replica, read from there
      } finally {
        client.close();
      }
    }
    return found;
  }

  /** Deletes every key matching {@code match} in one atomic script: on a single Redis only. */
  static long deleteAll(Redis redis, String match) {
    String script = "local cursor, n = '0', 0\n"
        + "repeat\n"
        + "  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)\n"
        + "  cursor = page[1]\n"
        + "  for _, key in ipairs(page[2]) do redis.call('DEL', key); n = n + 1 end\n"
        + "until cursor == '0'\n"
        + "return n";
    return Waits.await(redis.send(Request.cmd(Command.EVAL).arg(script).arg(0).arg(match))).toLong();
  }

  private static void scan(Redis client, String match, Set<String> found) {
    String cursor = "0";
    do {
      Response page = Waits.await(client.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(match)
          .arg("COUNT").arg(1000)));
      cursor = page.get(0).toString();
      page.get(1).forEach(key -> found.add(key.toString()));
    } while (!cursor.equals("0"));
  }

  private static List<String> nodes() {
    List<String> nodes = new ArrayList<>();
    for (int port = FIRST_PORT; port <= LAST_PORT; port++) {
      nodes.add("redis://127.0.0.1:" + port);
    }
    return nodes;
  }
}
