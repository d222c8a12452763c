package bolt.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Bolt's settings: a JSON file (conf/config.json) with every leaf overridable from the environment.
 * Validation happens once, here, so that a bad setting stops start-up with one line instead of
 * failing later on an event loop.
 */
public record BoltConfig(
    Set<String> roles,
    int httpPort,
    int httpInstances,
    HttpLimits httpLimits,
    long soldOutMemoryMs,
    int fulfillmentInstances,
    int batchSize,
    long heartbeatTtlMs,
    long blockTimeoutMs,
    int maxAttempts,
    String workerId,
    String redisUrl,
    RedisTopology redis,
    long redisTimeoutMs,
    int redisPoolSize,
    String pgUrl,
    int pgPoolSize,
    long pgTxTimeoutMs,
    String keyPrefix,
    String adminToken,
    boolean seedDemoProducts,
    boolean metricsEnabled,
    int metricsPort,
    String logFormat,
    boolean faultHaltAfterCommit,
    boolean faultStopAfterLock,
    boolean faultHaltAfterExpiry) {

  public static final String ROLE_HTTP = "http";
  public static final String ROLE_FULFILLMENT = "fulfillment";
  /**
   * Read by logback.xml itself, before any setting is, so it is an environment variable only; it is
   * checked here so that a misspelt value stops start-up instead of leaving the process without a log.
   */
  public static final String LOG_FORMAT_VARIABLE = "BOLT_LOG_FORMAT";

  /** Environment variable to JSON path: the one place that says which setting each variable sets. */
  static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("BOLT_ROLES", "roles"),
      Map.entry("BOLT_HTTP_PORT", "http.port"),
      Map.entry("BOLT_HTTP_INSTANCES", "http.instances"),
      Map.entry("BOLT_SOLD_OUT_MEMORY_MS", "http.soldOutMemoryMs"),
      Map.entry("BOLT_HTTP_IDLE_TIMEOUT_MS", "http.idleTimeoutMs"),
      Map.entry("BOLT_HTTP_HEADER_TIMEOUT_MS", "http.headerTimeoutMs"),
      Map.entry("BOLT_HTTP_BODY_TIMEOUT_MS", "http.bodyTimeoutMs"),
      Map.entry("BOLT_HTTP_MAX_CONNECTIONS", "http.maxConnections"),
      Map.entry("BOLT_FULFILLMENT_INSTANCES", "fulfillment.instances"),
      Map.entry("BOLT_BATCH_SIZE", "fulfillment.batchSize"),
      Map.entry("BOLT_HEARTBEAT_TTL_MS", "fulfillment.heartbeatTtlMs"),
      Map.entry("BOLT_BLOCK_TIMEOUT_MS", "fulfillment.blockTimeoutMs"),
      Map.entry("BOLT_MAX_ATTEMPTS", "fulfillment.maxAttempts"),
      Map.entry("BOLT_WORKER_ID", "fulfillment.workerId"),
      Map.entry("BOLT_REDIS_URL", "redis.url"),
      Map.entry("BOLT_REDIS_MODE", "redis.mode"),
      Map.entry("BOLT_REDIS_URLS", "redis.urls"),
      Map.entry("BOLT_REDIS_SHARDS", "redis.shards"),
      Map.entry("BOLT_REDIS_WAIT_REPLICAS", "redis.waitReplicas"),
      Map.entry("BOLT_REDIS_TIMEOUT_MS", "redis.timeoutMs"),
      Map.entry("BOLT_REDIS_POOL_SIZE", "redis.poolSize"),
      Map.entry("BOLT_PG_URL", "postgres.url"),
      Map.entry("BOLT_PG_POOL_SIZE", "postgres.poolSize"),
      Map.entry("BOLT_PG_TX_TIMEOUT_MS", "postgres.txTimeoutMs"),
      Map.entry("BOLT_KEY_PREFIX", "keyPrefix"),
      Map.entry("BOLT_ADMIN_TOKEN", "adminToken"),
      Map.entry("BOLT_SEED_DEMO", "seedDemoProducts"),
      Map.entry("BOLT_METRICS_ENABLED", "metrics.enabled"),
      Map.entry("BOLT_METRICS_PORT", "metrics.port"),
      // fault injection for the crash tests: the process halts between a DB commit and its ack
      Map.entry("BOLT_FAULT_HALT_AFTER_COMMIT", "fault.haltAfterCommit"),
      // fault injection: the process stops itself (SIGSTOP) once, holding its first batch's row locks
      Map.entry("BOLT_FAULT_STOP_AFTER_LOCK", "fault.stopAfterLock"),
      // fault injection: the process halts between a hold expiry's commit and its Redis step
      Map.entry("BOLT_FAULT_HALT_AFTER_EXPIRY", "fault.haltAfterExpiry"));

  public static BoltConfig load(Path file, Map<String, String> env) {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("--conf", "cannot read " + file + " (" + e.getMessage() + ")");
    } catch (DecodeException e) {
      throw new ConfigException("--conf", file + " is not valid JSON");
    }
    return from(json, env);
  }

  public static BoltConfig from(JsonObject json, Map<String, String> env) {
    Settings s = new Settings(json.copy());
    ENVIRONMENT.forEach((variable, path) -> {
      String value = env.get(variable);
      if (value != null) {
        s.override(path, variable, value);
      }
    });
    BoltConfig config = new BoltConfig(
        s.roles("roles"),
        s.integer("http.port", 8080, 0, 65535),
        s.integer("http.instances", 2, 1, 256),
        new HttpLimits(
            s.integer("http.idleTimeoutMs", 30_000, 100, 3_600_000),
            s.integer("http.headerTimeoutMs", 10_000, 100, 600_000),
            s.integer("http.bodyTimeoutMs", 10_000, 100, 600_000),
            s.integer("http.maxConnections", 10_000, 1, 1_000_000)),
        s.integer("http.soldOutMemoryMs", 250, 0, 10_000),
        s.integer("fulfillment.instances", 2, 0, 256),
        s.integer("fulfillment.batchSize", 64, 1, 10_000),
        s.integer("fulfillment.heartbeatTtlMs", 10_000, 500, 3_600_000),
        s.integer("fulfillment.blockTimeoutMs", 1_000, 10, 1_000),
        s.integer("fulfillment.maxAttempts", 3, 1, 100),
        s.text("fulfillment.workerId", defaultWorkerId()),
        s.uri("redis.url", "redis://127.0.0.1:6379", "redis", "rediss", "unix"),
        RedisTopology.read(s),
        s.integer("redis.timeoutMs", 2_000, 10, 60_000),
        s.integer("redis.poolSize", 16, 1, 1024),
        s.postgresUri("postgres.url", "postgresql://bolt:bolt@127.0.0.1:5432/bolt"),
        s.integer("postgres.poolSize", 8, 1, 256),
        s.integer("postgres.txTimeoutMs", 2_000, 100, 600_000),
        s.keyPrefix("keyPrefix", "bolt"),
        s.text("adminToken", ""),
        s.bool("seedDemoProducts", false),
        s.bool("metrics.enabled", true),
        s.integer("metrics.port", 8081, 0, 65535),
        logFormat(env.get(LOG_FORMAT_VARIABLE)),
        s.bool("fault.haltAfterCommit", false),
        s.bool("fault.stopAfterLock", false),
        s.bool("fault.haltAfterExpiry", false));
    // a blocking take may still move a job into a worker's list this long after its heartbeat; the
    // reapers must see that worker as alive meanwhile (docs/design.md: crash recovery)
    if (config.metricsEnabled() && config.runsHttp() && config.metricsPort() != 0
        && config.metricsPort() == config.httpPort()) {
      throw new ConfigException(s.name("metrics.port"), "must differ from " + s.name("http.port") + " ("
          + config.httpPort() + ")");
    }
    // shard n's tag is {prefix:n}: a prefix with a colon could spell another installation's shard
    if (config.redis().shards() > 1 && config.keyPrefix().contains(":")) {
      throw new ConfigException(s.name("keyPrefix"), "must not contain ':' when " + s.name("redis.shards")
          + " is more than 1, got '" + config.keyPrefix() + "'");
    }
    if (config.blockTimeoutMs() >= config.heartbeatTtlMs()) {
      throw new ConfigException(s.name("fulfillment.blockTimeoutMs"), "must be less than "
          + s.name("fulfillment.heartbeatTtlMs") + " (" + config.heartbeatTtlMs() + "), got " + config.blockTimeoutMs());
    }
    return config;
  }

  public boolean runsHttp() {
    return roles.contains(ROLE_HTTP);
  }

  public boolean runsFulfillment() {
    return roles.contains(ROLE_FULFILLMENT) && fulfillmentInstances > 0;
  }

  private static String logFormat(String value) {
    if (value == null || value.isBlank()) {
      return "text";
    }
    if (!value.equals("text") && !value.equals("json")) {
      throw new ConfigException(LOG_FORMAT_VARIABLE, "must be text or json, got " + value);
    }
    return value;
  }

  private static String defaultWorkerId() {
    String host = System.getenv().getOrDefault("HOSTNAME", "bolt");
    return host + "-" + ProcessHandle.current().pid();
  }
}
