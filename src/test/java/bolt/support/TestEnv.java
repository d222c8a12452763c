package bolt.support;

import bolt.Main;
import bolt.config.BoltConfig;
import bolt.http.EdgeCounters;
import bolt.metrics.BoltMetrics;
import bolt.order.OrderRepository;
import bolt.order.OrderService;
import bolt.order.Replication;
import bolt.order.SoldOutMemory;
import bolt.stock.Keys;
import bolt.stock.Product;
import bolt.stock.ProductRepository;
import bolt.stock.ProductShards;
import bolt.stock.SaleRules;
import bolt.stock.Shards;
import bolt.stock.StockLedger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static bolt.support.Waits.await;

/**
 * One test class's private world on the shared Redis and PostgreSQL: its own database (created here,
 * dropped on close) and its own Redis key prefix (deleted on close). Works on a machine with
 * leftovers from earlier runs, and in any order. Blocking helpers: call them from the test thread.
 *
 * <p>Backends default to the ones {@code scripts/services.sh} provides; BOLT_TEST_REDIS_URL and
 * BOLT_TEST_PG_URL (a URL of a database the role can CREATE DATABASE from) point elsewhere.
 */
public final class TestEnv implements AutoCloseable {

  public static final String REDIS_URL = System.getenv().getOrDefault("BOLT_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  /** The shards every Bolt of the suite spreads its products over (BOLT_TEST_REDIS_SHARDS, default 1). */
  public static final int SHARDS = Integer.parseInt(System.getenv().getOrDefault("BOLT_TEST_REDIS_SHARDS", "1"));
  public static final String ADMIN_TOKEN = "test-admin-token";
  /** The bound on backend calls of the Bolt classes a test drives directly. */
  private static final long BACKEND_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final String name;
  private final String pgUrl;
  private final Keys keys;
  private Shards shards;
  private final Redis redis;
  private final Pool pool;
  private final List<String> deployments = new ArrayList<>();
  private EdgeCounters edge;
  private BoltMetrics metrics;

  private TestEnv(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
    this.pgUrl = TestDatabase.url(name);
    this.keys = new Keys(name);
    this.shards = new Shards(name, SHARDS);
    this.redis = TestRedis.shared(vertx);
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(pgUrl).using(vertx).build();
  }

  /** A fresh database with Bolt's schema, and a fresh key prefix. */
  public static TestEnv create(Vertx vertx) {
    String name = "bolt_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    TestDatabase.create(vertx, name);
    TestEnv env = new TestEnv(vertx, name);
    env.sql(resource("sql/schema.sql"));
    return env;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The key prefix and the database name (the same string). */
  public String name() {
    return name;
  }

  public String pgUrl() {
    return pgUrl;
  }

  /** Shard 0's keys: where every key of a single-shard Bolt lives. */
  public Keys keys() {
    return keys;
  }

  /** The keys of the shard that holds the product (as {@link #createProduct} placed it). */
  public Keys keys(String productId) {
    return shards.keys(shards.choose(productId));
  }

  public Shards shards() {
    return shards;
  }

  public Redis redis() {
    return redis;
  }

  public Pool pool() {
    return pool;
  }

  /** Spreads this environment's products, and the Bolts it starts, over {@code count} shards. */
  public TestEnv useShards(int count) {
    shards = new Shards(name, count);
    return this;
  }

  /** A fresh client of the suite's Redis, for a connection of its own (a worker's blocking take). */
  public Redis newClient() {
    return TestRedis.client(vertx);
  }

  public static boolean cluster() {
    return TestRedis.cluster();
  }

  /** Settings for a Bolt of this environment: defaults of conf/config.json, this env's backends, then overrides. */
  public BoltConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(environment());
    env.putAll(overrides);
    return BoltConfig.from(defaults(), env);
  }

  /** The BOLT_* variables that point a Bolt (in-process or a child process) at this environment. */
  public Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("BOLT_REDIS_URL", REDIS_URL);
    env.put("BOLT_REDIS_MODE", TestRedis.MODE);
    env.put("BOLT_REDIS_SHARDS", String.valueOf(shards.count()));
    if (cluster()) {
      env.put("BOLT_REDIS_URLS", TestRedis.URLS);
    }
    env.put("BOLT_PG_URL", pgUrl);
    env.put("BOLT_KEY_PREFIX", name);
    env.put("BOLT_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("BOLT_SEED_DEMO", "false");
    env.put("BOLT_HTTP_PORT", String.valueOf(freePort()));
    // the management port too: test classes of several builds share this machine
    env.put("BOLT_METRICS_PORT", String.valueOf(freePort()));
    env.put("BOLT_HEARTBEAT_TTL_MS", "2000");
    return env;
  }

  /** Deploys Bolt in this JVM and waits until it serves and its start-up sync is done. */
  public BoltConfig start(Map<String, String> overrides) {
    BoltConfig config = config(overrides);
    await(deploy(config).synced());
    return config;
  }

  /**
   * Deploys Bolt in this JVM and waits only until its verticles are deployed, not for the start-up
   * sync: for a Bolt whose backend is unreachable (the sync then retries in the background forever).
   */
  public BoltConfig startWithoutSync(Map<String, String> overrides) {
    BoltConfig config = config(overrides);
    deploy(config);
    return config;
  }

  private Main.Started deploy(BoltConfig config) {
    Set<String> before = Set.copyOf(vertx.deploymentIDs());
    Main.Started started = Main.start(vertx, config);
    edge = started.edge();
    metrics = started.metrics();
    await(started.deployed());
    vertx.deploymentIDs().stream().filter(id -> !before.contains(id)).forEach(deployments::add);
    return started;
  }

  /** What the HTTP edge of the Bolt started last turned away or lost (refused connections, timeouts, ...). */
  public EdgeCounters edge() {
    return edge;
  }

  /** The meters of the Bolt started last (its own, without Vert.x's: this Vertx reports none). */
  public BoltMetrics metrics() {
    return metrics;
  }

  /** INSUFFICIENT_STOCK refusals of the started Bolt, from memory or from Redis (bolt_orders_refused_total). */
  public long refusedForStock() {
    return (long) metrics.registry().get("bolt.orders.refused").tag("reason", "INSUFFICIENT_STOCK").counter().count();
  }

  /** Refusals the started Bolt answered from its sold-out memory (bolt_orders_refused_from_memory_total). */
  public long refusedFromMemory() {
    return (long) metrics.registry().get("bolt.orders.refused.from.memory").counter().count();
  }

  /** Undeploys what {@link #start} deployed: HTTP servers close, workers finish their batch. */
  public void stopBolt() {
    for (String id : deployments) {
      await(vertx.undeploy(id));
    }
    deployments.clear();
  }

  /** Bolt's order intake on this environment (a wiped Redis asks for no resync: nothing listens). */
  public OrderService intake() {
    return new OrderService(vertx, redis, productShards(), new OrderRepository(pool), BACKEND_TIMEOUT_MS, () -> { },
        SoldOutMemory.off(), Replication.NONE);
  }

  /** Bolt's Redis side of stock on this environment: its scripts create and change product hashes. */
  public StockLedger stockLedger() {
    return new StockLedger(redis, productShards(), BACKEND_TIMEOUT_MS);
  }

  private ProductShards productShards() {
    return new ProductShards(shards, new ProductRepository(pool));
  }

  /** A product without sale rules, as its DB row reads at {@code version}: for the sync's script. */
  public static Product product(String id, long stock, long version) {
    return new Product(id, id, stock, version, SaleRules.NONE, null, Shards.choose(id, SHARDS));
  }

  /** A product row, in the shard Bolt would have chosen for it. */
  public void createProduct(String id, int stock) {
    sql("INSERT INTO products (id, name, stock, shard) VALUES ($1, $1, $2, $3)", id, stock, shards.choose(id));
  }

  public List<Row> sql(String statement, Object... params) {
    Future<? extends Iterable<Row>> rows = params.length == 0
        ? pool.query(statement).execute()
        : pool.preparedQuery(statement).execute(Tuple.from(params));
    List<Row> list = new ArrayList<>();
    await(rows).forEach(list::add);
    return list;
  }

  public Response redis(Command command, Object... args) {
    Request request = Request.cmd(command);
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return await(redis.send(request));
  }

  /** A field of a product's Redis hash (available, inflight, dbstock, dbver), or null. */
  public Long ledger(String productId, String field) {
    Response value = redis(Command.HGET, keys(productId).product(productId), field);
    return value == null ? null : value.toLong();
  }

  public long dbStock(String productId) {
    return sql("SELECT stock FROM products WHERE id = $1", productId).get(0).getInteger("stock");
  }

  /**
   * What FLUSHALL, a new empty instance or a failover to an empty replica does to this environment:
   * every key of its prefix gone, in one atomic script, without touching other tests' keys.
   */
  public long wipeRedis() {
    if (cluster()) {
      throw new UnsupportedOperationException("wipeRedis runs on a single Redis only");
    }
    return TestRedis.deleteAll(redis, "{" + name + "*:*");
  }

  /** Jobs queued in every shard. */
  public long queueLength() {
    return sum(Keys::queue);
  }

  /** The sum over the shards of the length of one list of each. */
  public long sum(java.util.function.Function<Keys, String> list) {
    return shards.all().stream().mapToLong(shard -> redis(Command.LLEN, list.apply(shard)).toLong()).sum();
  }

  /**
   * Every key of this environment that matches {@code pattern} (a glob after the shard's tag, e.g.
   * {@code processing:*}), in any shard; on a cluster, read from every node.
   */
  public Set<String> scan(String pattern) {
    return TestRedis.scan(vertx, redis, "{" + name + "*:" + pattern);
  }

  /** Undeploys Bolt, deletes this env's Redis keys and drops its database. */
  @Override
  public void close() {
    stopBolt();
    for (String key : TestRedis.scanQuietly(vertx, redis, "{" + name + "*:*")) {
      redis(Command.DEL, key);
    }
    await(redis.close());
    await(pool.close());
    TestDatabase.drop(vertx, name);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject defaults() {
    try {
      return new JsonObject(Files.readString(Path.of("conf/config.json")));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String resource(String path) {
    try (var in = TestEnv.class.getClassLoader().getResourceAsStream(path)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
