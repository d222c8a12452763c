package bolt.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings: the shipped defaults, environment overrides, and one-line errors that name the bad setting. */
class BoltConfigTest {

  private static final Path SHIPPED = Path.of("conf/config.json");

  @Test
  void shippedFileGivesTheDocumentedDefaults() {
    BoltConfig config = BoltConfig.load(SHIPPED, Map.of());

    assertThat(config.roles()).containsExactlyInAnyOrder("http", "fulfillment");
    assertThat(config.runsHttp()).isTrue();
    assertThat(config.runsFulfillment()).isTrue();
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.httpInstances()).isEqualTo(2);
    assertThat(config.httpLimits()).isEqualTo(new HttpLimits(30_000, 10_000, 10_000, 10_000));
    assertThat(config.fulfillmentInstances()).isEqualTo(2);
    assertThat(config.batchSize()).isEqualTo(64);
    assertThat(config.heartbeatTtlMs()).isEqualTo(10_000);
    assertThat(config.blockTimeoutMs()).isEqualTo(1_000);
    assertThat(config.maxAttempts()).isEqualTo(3);
    assertThat(config.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(config.redisTimeoutMs()).isEqualTo(2_000);
    assertThat(config.redisPoolSize()).isEqualTo(16);
    assertThat(config.pgUrl()).isEqualTo("postgresql://bolt:bolt@127.0.0.1:5432/bolt");
    assertThat(config.pgPoolSize()).isEqualTo(8);
    assertThat(config.keyPrefix()).isEqualTo("bolt");
    assertThat(config.adminToken()).isEmpty();
    assertThat(config.seedDemoProducts()).isTrue();
    assertThat(config.metricsEnabled()).isTrue();
    assertThat(config.metricsPort()).isEqualTo(8081);
    assertThat(config.logFormat()).isEqualTo("text");
    assertThat(config.faultHaltAfterCommit()).isFalse();
    assertThat(config.workerId()).isNotBlank();
  }

  @Test
  void environmentOverridesTheFile() {
    BoltConfig config = BoltConfig.load(SHIPPED, Map.ofEntries(
        Map.entry("BOLT_HTTP_PORT", "9099"),
        Map.entry("BOLT_ROLES", "http"),
        Map.entry("BOLT_HTTP_INSTANCES", "3"),
        Map.entry("BOLT_HTTP_IDLE_TIMEOUT_MS", "5000"),
        Map.entry("BOLT_HTTP_HEADER_TIMEOUT_MS", "2000"),
        Map.entry("BOLT_HTTP_BODY_TIMEOUT_MS", "3000"),
        Map.entry("BOLT_HTTP_MAX_CONNECTIONS", "100"),
        Map.entry("BOLT_FULFILLMENT_INSTANCES", "5"),
        Map.entry("BOLT_BATCH_SIZE", "10"),
        Map.entry("BOLT_WORKER_ID", "w7"),
        Map.entry("BOLT_REDIS_URL", "redis://redis.example:6380"),
        Map.entry("BOLT_REDIS_TIMEOUT_MS", "500"),
        Map.entry("BOLT_PG_URL", "postgres://u:p@db.example:5433/shop"),
        Map.entry("BOLT_KEY_PREFIX", "shop-1"),
        Map.entry("BOLT_ADMIN_TOKEN", "s3cret"),
        Map.entry("BOLT_SEED_DEMO", "false"),
        Map.entry("BOLT_FAULT_HALT_AFTER_COMMIT", "true")));

    assertThat(config.httpPort()).isEqualTo(9099);
    assertThat(config.roles()).isEqualTo(Set.of("http"));
    assertThat(config.runsFulfillment()).isFalse();
    assertThat(config.httpInstances()).isEqualTo(3);
    assertThat(config.httpLimits()).isEqualTo(new HttpLimits(5_000, 2_000, 3_000, 100));
    assertThat(config.fulfillmentInstances()).isEqualTo(5);
    assertThat(config.batchSize()).isEqualTo(10);
    assertThat(config.workerId()).isEqualTo("w7");
    assertThat(config.redisUrl()).isEqualTo("redis://redis.example:6380");
    assertThat(config.redisTimeoutMs()).isEqualTo(500);
    assertThat(config.pgUrl()).isEqualTo("postgres://u:p@db.example:5433/shop");
    assertThat(config.keyPrefix()).isEqualTo("shop-1");
    assertThat(config.adminToken()).isEqualTo("s3cret");
    assertThat(config.seedDemoProducts()).isFalse();
    assertThat(config.faultHaltAfterCommit()).isTrue();
  }

  @Test
  void rolesListAcceptsSpacesAndZeroWorkersMeansNoFulfillment() {
    BoltConfig both = BoltConfig.load(SHIPPED, Map.of("BOLT_ROLES", " fulfillment , http "));
    assertThat(both.roles()).containsExactlyInAnyOrder("http", "fulfillment");

    BoltConfig noWorkers = BoltConfig.load(SHIPPED, Map.of("BOLT_FULFILLMENT_INSTANCES", "0"));
    assertThat(noWorkers.runsFulfillment()).isFalse();
    assertThat(noWorkers.runsHttp()).isTrue();
  }

  @Test
  void anEmptyFileFallsBackToBuiltInDefaults() {
    BoltConfig config = BoltConfig.from(new JsonObject(), Map.of());
    assertThat(config.roles()).containsExactlyInAnyOrder("http", "fulfillment");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.redisTimeoutMs()).isEqualTo(2_000);
    assertThat(config.httpLimits()).isEqualTo(new HttpLimits(30_000, 10_000, 10_000, 10_000));
    assertThat(config.keyPrefix()).isEqualTo("bolt");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "BOLT_HTTP_PORT             | abc",
      "BOLT_HTTP_PORT             | 70000",
      "BOLT_HTTP_PORT             | -1",
      "BOLT_ROLES                 | web",
      "BOLT_ROLES                 | http,web",
      "BOLT_ROLES                 | ' , '",
      "BOLT_PG_URL                | mysql://x",
      "BOLT_REDIS_URL             | nonsense",
      "BOLT_REDIS_URL             | http://127.0.0.1:6379",
      "BOLT_HTTP_INSTANCES        | 0",
      "BOLT_FULFILLMENT_INSTANCES | -2",
      "BOLT_BATCH_SIZE            | 0",
      "BOLT_REDIS_TIMEOUT_MS      | 1.5",
      "BOLT_KEY_PREFIX            | has space",
      "BOLT_KEY_PREFIX            | '{tag}'",
      "BOLT_SEED_DEMO             | maybe",
      "BOLT_PG_TX_TIMEOUT_MS      | 50",
      "BOLT_HTTP_MAX_CONNECTIONS  | 0",
      "BOLT_HTTP_HEADER_TIMEOUT_MS | 10",
      "BOLT_HTTP_IDLE_TIMEOUT_MS  | forever",
      "BOLT_METRICS_PORT          | 70000",
      "BOLT_METRICS_PORT          | 8080",
      "BOLT_METRICS_ENABLED       | perhaps",
      "BOLT_LOG_FORMAT            | xml",
      "BOLT_REDIS_MODE            | sentinel",
      "BOLT_REDIS_SHARDS          | 0",
      "BOLT_REDIS_SHARDS          | 1025",
      "BOLT_REDIS_WAIT_REPLICAS   | -1",
      "BOLT_REDIS_URLS            | http://127.0.0.1:7001",
  })
  void invalidEnvironmentValueIsRefusedNamingTheVariable(String variable, String value) {
    assertThatThrownBy(() -> BoltConfig.load(SHIPPED, Map.of(variable, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(variable + ": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void invalidFileValueIsRefusedNamingItsPath() {
    JsonObject json = new JsonObject().put("http", new JsonObject().put("port", "abc"));
    assertThatThrownBy(() -> BoltConfig.from(json, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("http.port: ");

    JsonObject roles = new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("web"));
    assertThatThrownBy(() -> BoltConfig.from(roles, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("roles: ")
        .hasMessageContaining("web");
  }

  @Test
  void redisDefaultsToOneServerAndOneShard() {
    BoltConfig config = BoltConfig.load(SHIPPED, Map.of());
    assertThat(config.redis()).isEqualTo(bolt.config.RedisTopology.standalone());
  }

  @Test
  void clusterModeTakesItsSeedsAndShardsFromTheEnvironment() {
    BoltConfig config = BoltConfig.load(SHIPPED, Map.of("BOLT_REDIS_MODE", "cluster",
        "BOLT_REDIS_URLS", "redis://127.0.0.1:7001, redis://127.0.0.1:7002", "BOLT_REDIS_SHARDS", "16",
        "BOLT_REDIS_WAIT_REPLICAS", "1"));
    assertThat(config.redis().cluster()).isTrue();
    assertThat(config.redis().seeds()).containsExactly("redis://127.0.0.1:7001", "redis://127.0.0.1:7002");
    assertThat(config.redis().shards()).isEqualTo(16);
    assertThat(config.redis().waitReplicas()).isEqualTo(1);
  }

  @Test
  void clusterModeNeedsSeedNodes() {
    assertThatThrownBy(() -> BoltConfig.load(SHIPPED, Map.of("BOLT_REDIS_MODE", "cluster")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("redis.urls: must list at least one seed node");
  }

  @Test
  void aShardedPrefixMayNotSpellAnotherShardsTag() {
    assertThatThrownBy(() -> BoltConfig.load(SHIPPED, Map.of("BOLT_REDIS_SHARDS", "4", "BOLT_KEY_PREFIX", "shop:1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("BOLT_KEY_PREFIX: ");
  }

  @Test
  void aBlockingTakeMustEndWithinTheHeartbeatTtl() {
    assertThatThrownBy(() -> BoltConfig.load(SHIPPED, Map.of("BOLT_HEARTBEAT_TTL_MS", "900")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("fulfillment.blockTimeoutMs: must be less than BOLT_HEARTBEAT_TTL_MS (900), got 1000");
    assertThat(BoltConfig.load(SHIPPED, Map.of("BOLT_HEARTBEAT_TTL_MS", "900", "BOLT_BLOCK_TIMEOUT_MS", "500"))
        .heartbeatTtlMs()).isEqualTo(900);
  }

  @Test
  void metricsCanBeTurnedOffAndMoved() {
    BoltConfig config = BoltConfig.load(SHIPPED, Map.of("BOLT_METRICS_ENABLED", "false", "BOLT_METRICS_PORT", "9464",
        "BOLT_LOG_FORMAT", "json"));
    assertThat(config.metricsEnabled()).isFalse();
    assertThat(config.metricsPort()).isEqualTo(9464);
    assertThat(config.logFormat()).isEqualTo("json");
    // off, it holds no port, so it cannot clash with the HTTP port
    assertThat(BoltConfig.load(SHIPPED, Map.of("BOLT_METRICS_ENABLED", "false", "BOLT_METRICS_PORT", "8080"))
        .metricsEnabled()).isFalse();
  }

  @Test
  void environmentFixesABadFileValue() {
    // the variable replaces the file's value before validation, so a bad file setting can be overridden
    JsonObject json = new JsonObject().put("http", new JsonObject().put("port", "abc"));
    assertThat(BoltConfig.from(json, Map.of("BOLT_HTTP_PORT", "8181")).httpPort()).isEqualTo(8181);
  }

  @Test
  void missingFileIsAConfigError() {
    assertThatThrownBy(() -> BoltConfig.load(Path.of("conf/does-not-exist.json"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--conf: ");
  }
}
