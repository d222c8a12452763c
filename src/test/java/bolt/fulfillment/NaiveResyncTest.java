package bolt.fulfillment;

import bolt.order.OrderJob;
import bolt.support.Invariants;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * design.md, "Why not the obvious design": stock 10, five orders of one unit reserved (available 5,
 * all queued). A worker that, after writing one order, sets {@code available = DB stock} hands out
 * the four still-queued units again (14 sold for 10); Bolt's workers, in the same interleaving, sell
 * exactly 10.
 */
@Timeout(180)
class NaiveResyncTest {

  private static final String PRODUCT = "p";

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;
  private WebClient web;
  private int port;
  /** Ids of the five orders reserved before any worker ran. */
  private final Set<String> firstFive = new HashSet<>();

  @BeforeEach
  void setUp() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct(PRODUCT, 10);
    // intake only: no worker touches the queue until the test says so
    port = env.start(Map.of("BOLT_ROLES", "http")).httpPort();
    web = WebClient.create(vertx);
  }

  @Test
  void resyncToDbStockAfterEachWriteOversells() {
    int accepted = reserveFiveOfTen();

    assertThat(naiveWriteOne()).isTrue();
    assertThat(env.dbStock(PRODUCT)).isEqualTo(9);
    assertThat(env.ledger(PRODUCT, "available")).as("available after the naive resync").isEqualTo(9);

    accepted += sellUntilRefused().size();
    assertThat(accepted).as("units promised to buyers for a stock of 10").isGreaterThan(10).isEqualTo(14);

    // the naive worker drains the rest: the DB can only honour 10 of the 14 promises
    int written = 1;
    int broken = 0;
    while (env.queueLength() > 0) {
      if (naiveWriteOne()) {
        written++;
      } else {
        broken++;
      }
    }
    assertThat(written).isEqualTo(10);
    assertThat(broken).as("buyers told 202 whose unit does not exist").isEqualTo(4);
    assertThat(env.dbStock(PRODUCT)).isZero();
  }

  @Test
  void boltWorkersSellExactlyTheStockInTheSameInterleaving() {
    int reserved = reserveFiveOfTen();
    env.start(Map.of("BOLT_ROLES", "fulfillment", "BOLT_FULFILLMENT_INSTANCES", "1", "BOLT_BATCH_SIZE", "1"));
    Waits.eventually(Duration.ofSeconds(60), "the first order written", () -> env.dbStock(PRODUCT) <= 9);

    Set<String> accepted = new HashSet<>(sellUntilRefused());
    assertThat(reserved + accepted.size()).as("units sold for a stock of 10").isEqualTo(10);
    Invariants.awaitDrained(env, List.of(PRODUCT), Duration.ofSeconds(60));
    assertThat(sellUntilRefused()).as("sold after the drain").isEmpty();

    assertThat(env.dbStock(PRODUCT)).isZero();
    assertThat(env.ledger(PRODUCT, "available")).isZero();
    accepted.addAll(firstFive);
    Invariants.assertConsistent(env, Map.of(PRODUCT, 10), accepted);
  }

  /** Five buyers take one unit each: available 5, five jobs queued. */
  private int reserveFiveOfTen() {
    for (int i = 0; i < 5; i++) {
      HttpResponse<?> reply = order();
      assertThat(reply.statusCode()).isEqualTo(202);
      firstFive.add(reply.bodyAsJsonObject().getString("orderId"));
    }
    assertThat(env.ledger(PRODUCT, "available")).isEqualTo(5);
    assertThat(env.queueLength()).isEqualTo(5);
    return 5;
  }

  /** Orders one unit at a time until refused; returns the accepted order ids. Available is never negative. */
  private List<String> sellUntilRefused() {
    List<String> ids = new ArrayList<>();
    while (true) {
      HttpResponse<?> reply = order();
      JsonObject body = reply.bodyAsJsonObject();
      assertThat(body.getLong("available")).as("available reported to a buyer").isGreaterThanOrEqualTo(0);
      if (reply.statusCode() != 202) {
        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(body.getString("error")).isEqualTo("INSUFFICIENT_STOCK");
        return ids;
      }
      ids.add(body.getString("orderId"));
    }
  }

  private HttpResponse<?> order() {
    return Waits.await(web.post(port, "127.0.0.1", "/order")
        .sendJsonObject(new JsonObject().put("productId", PRODUCT).put("quantity", 1)));
  }

  /**
   * The original system's worker: take the oldest job, write it (a guarded decrement, so the DB
   * itself never goes negative), then SET available = DB stock. Returns false if the DB had no unit left.
   */
  private boolean naiveWriteOne() {
    Response raw = env.redis(Command.RPOP, env.keys().queue());
    OrderJob job = OrderJob.parse(raw.toString());
    List<Row> left = env.sql("UPDATE products SET stock = stock - $2, version = version + 1 "
        + "WHERE id = $1 AND stock >= $2 RETURNING stock", job.productId(), job.quantity());
    if (!left.isEmpty()) {
      env.sql("INSERT INTO orders (id, product_id, quantity, status, created_at) VALUES ($1, $2, $3, 'CONFIRMED', now())",
          job.orderId(), job.productId(), job.quantity());
    }
    env.redis(Command.HSET, env.keys(PRODUCT).product(PRODUCT), "available", env.dbStock(PRODUCT));
    return !left.isEmpty();
  }
}
