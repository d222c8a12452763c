package bolt.config;

import java.util.List;

/**
 * How Bolt's Redis is laid out (docs/design.md: shards): one server or a Redis Cluster, the seed
 * nodes of a cluster, the number of shards products are spread over, and how many replicas must
 * have a reservation before its 202 (0: none waited for).
 *
 * @param mode          {@link #STANDALONE} (redis.url) or {@link #CLUSTER} (redis.urls)
 * @param seeds         the cluster's seed nodes; empty in standalone mode
 * @param shards        S: each shard is one hash tag, so one slot; 1 keeps every key where it always was
 * @param waitReplicas  replicas a reservation that accepted orders waits for (Redis WAIT) before its answer
 */
public record RedisTopology(String mode, List<String> seeds, int shards, int waitReplicas) {

  public static final String STANDALONE = "standalone";
  public static final String CLUSTER = "cluster";
  public static final int MAX_SHARDS = 1024;
  /** How long a WAIT may hold a reservation's answer. */
  public static final long WAIT_TIMEOUT_MS = 100;

  public RedisTopology {
    seeds = List.copyOf(seeds);
  }

  public static RedisTopology standalone() {
    return new RedisTopology(STANDALONE, List.of(), 1, 0);
  }

  public boolean cluster() {
    return CLUSTER.equals(mode);
  }

  static RedisTopology read(Settings s) {
    String mode = s.text("redis.mode", STANDALONE);
    if (!mode.equals(STANDALONE) && !mode.equals(CLUSTER)) {
      throw new ConfigException(s.name("redis.mode"), "must be standalone or cluster, got " + mode);
    }
    List<String> seeds = s.uris("redis.urls", "redis", "rediss");
    if (mode.equals(CLUSTER) && seeds.isEmpty()) {
      throw new ConfigException(s.name("redis.urls"), "must list at least one seed node (redis://host:port) when "
          + s.name("redis.mode") + " is cluster");
    }
    int shards = s.integer("redis.shards", 1, 1, MAX_SHARDS);
    int waitReplicas = s.integer("redis.waitReplicas", 0, 0, 16);
    return new RedisTopology(mode, mode.equals(CLUSTER) ? seeds : List.of(), shards, waitReplicas);
  }
}
