package bolt.fulfillment;

import bolt.order.OrderJob;
import bolt.order.OrderService;
import bolt.order.Placement;
import bolt.stock.Product;
import bolt.stock.ProductRepository;
import bolt.stock.ProductService;
import bolt.stock.Restock;
import bolt.stock.SaleRules;
import bolt.stock.StockChange;
import bolt.stock.StockChangeRepository;
import bolt.stock.StockLedger;
import bolt.stock.StockReturns;
import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restocks against orders in flight (docs/design.md: restock, the avver rule). Every state is reached
 * through Bolt's own steps, one at a time: the reserve script, a worker's take, the batch transaction
 * and its ack, the restock transaction and its script, the sync. The orders of steps are the ones
 * that broke an earlier build; each test ends with Redis `available` equal to the DB stock.
 */
class RestockProtocolTest {

  private static final String P = "p";

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private TestEnv env;
  private Redis blocking;
  private OrderService intake;
  private StockLedger ledger;
  private StockChangeRepository restocks;
  private ProductService products;
  private WorkQueue queue;
  private OrderWriter writer;

  @BeforeEach
  void wire() {
    env = world.env();
    long timeout = 5_000;
    blocking = env.newClient();
    intake = env.intake();
    ledger = env.stockLedger();
    restocks = new StockChangeRepository(env.pool());
    products = new ProductService(new ProductRepository(env.pool()), restocks, ledger,
        new StockReturns(ledger, restocks, timeout), timeout);
    queue = new WorkQueue(env.redis(), blocking, env.keys(P),
        new WorkerRegistry(env.redis(), env.keys(P), "worker", 10_000, timeout), timeout);
    writer = new OrderWriter(env.pool());
    Waits.await(products.create(P, P, 10, SaleRules.NONE));
  }

  @AfterEach
  void close() {
    Waits.await(queue.close());
  }

  /** The reproduction: the quiescent ack copies the restocked stock, then the restock's script arrives. */
  @Test
  void aRestockScriptArrivingAfterAQuiescentAckAddsNothing() {
    reserve(1);
    StockChange restocked = commitRestock(10, "r1");
    assertThat(env.dbStock(P)).isEqualTo(20);

    writeAndAck();
    assertThat(env.dbStock(P)).isEqualTo(19);
    assertThat(available()).as("available after the quiescent ack").isEqualTo(19);

    assertThat(applyRestock(restocked)).as("available after the late restock script").isEqualTo(19);
    assertQuiescentAndExact();
  }

  @Test
  void twoRestocksArrivingInReverseOrderWithAQuiescentAckBetweenAddOnceEach() {
    reserve(1);
    StockChange first = commitRestock(5, "r1");
    StockChange second = commitRestock(5, "r2");
    applyRestock(second);

    writeAndAck();
    assertThat(available()).isEqualTo(19);

    assertThat(applyRestock(first)).isEqualTo(19);
    assertQuiescentAndExact();
  }

  @Test
  void twoRestocksArrivingInReverseOrderAddBothDeltas() {
    StockChange first = commitRestock(5, "r1");
    StockChange second = commitRestock(7, "r2");

    assertThat(applyRestock(second)).isEqualTo(17);
    assertThat(applyRestock(first)).isEqualTo(22);
    assertQuiescentAndExact();
  }

  /** What the periodic sync does when a restock's Redis step landed but was not recorded as applied. */
  @Test
  void theSameRestockScriptRunTwiceAddsOnce() {
    reserve(2);
    StockChange restocked = commitRestock(5, "r1");

    assertThat(applyRestock(restocked)).isEqualTo(13);
    assertThat(applyRestock(restocked)).isEqualTo(13);
    writeAndAck();
    assertQuiescentAndExact();
    assertThat(env.dbStock(P)).isEqualTo(13);
  }

  @Test
  void aSyncThatReadTheRestockedRowFirstIsNotAddedToAgain() {
    StockChange restocked = commitRestock(5, "r1");
    Waits.await(ledger.sync(Waits.await(new ProductRepository(env.pool()).find(P)).orElseThrow()));
    assertThat(available()).isEqualTo(15);

    assertThat(applyRestock(restocked)).isEqualTo(15);
    assertQuiescentAndExact();
  }

  @Test
  void aSyncNeverTouchesAProductWithUnitsInFlight() {
    reserve(3);
    env.sql("UPDATE products SET stock = 50, version = version + 1 WHERE id = $1", P);
    Product changedInSql = new Product(P, P, 50, env.sql("SELECT version FROM products").get(0).getLong("version"),
        SaleRules.NONE, null, env.shards().choose(P));

    assertThat(Waits.await(ledger.sync(changedInSql))).as("changed").isFalse();
    assertThat(available()).isEqualTo(7);
  }

  @Test
  void aRestockRetriedWithItsIdempotencyKeyIsAddedOnce() {
    Restock first = Waits.await(products.restock(P, 5, "key-1"));
    Restock retry = Waits.await(products.restock(P, 5, "key-1"));
    Restock otherQuantity = Waits.await(products.restock(P, 6, "key-1"));

    assertThat(first).isInstanceOfSatisfying(Restock.Done.class, done -> assertThat(done.replayed()).isFalse());
    assertThat(retry).isInstanceOfSatisfying(Restock.Done.class, done -> {
      assertThat(done.replayed()).isTrue();
      assertThat(done.product().stock()).as("the first result").isEqualTo(15);
    });
    assertThat(otherQuantity).isEqualTo(new Restock.KeyReused(5));
    assertThat(env.dbStock(P)).isEqualTo(15);
    assertThat(env.sql("SELECT count(*) AS n FROM stock_changes").get(0).getLong("n")).isEqualTo(1);
    assertQuiescentAndExact();
  }

  /**
   * A restock whose DB transaction committed while its client got a 503 (or gave up) and whose Redis
   * step never ran: the periodic sync applies it although orders stay in flight, and the client's
   * retry with the same key answers the first result and adds nothing.
   */
  @Test
  void aCommittedRestockThatNeverReachedRedisIsAppliedOnceAndItsRetryAddsNothing() {
    var config = env.start(Map.of("BOLT_ROLES", "http"));
    try (Http http = new Http(world.vertx(), config.httpPort())) {
      var order = http.post("/order", new JsonObject().put("productId", P).put("quantity", 1));
      assertThat(order.statusCode()).isEqualTo(202);
      commitRestock(5, "lost-answer");

      Waits.eventually(Duration.ofSeconds(15), "the periodic sync applies the pending restock",
          () -> Long.valueOf(14).equals(available()));
      assertThat(env.ledger(P, "inflight")).as("still in flight").isEqualTo(1);

      var retry = http.post("/admin/products/" + P + "/restock", new JsonObject().put("quantity", 5),
          "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN, "Idempotency-Key", "lost-answer");
      assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
      assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(retry.bodyAsJsonObject().getLong("stock")).isEqualTo(15);
      assertThat(retry.bodyAsJsonObject().getLong("available")).isEqualTo(14);
      assertThat(env.dbStock(P)).isEqualTo(15);
      assertThat(available()).isEqualTo(14);
    }
  }

  @Test
  void aRestockPastTheLargestStockIsRefusedAndChangesNothing() {
    var config = env.start(Map.of("BOLT_ROLES", "http"));
    try (Http http = new Http(world.vertx(), config.httpPort())) {
      List<Integer> statuses = new ArrayList<>();
      JsonObject last = null;
      for (int i = 0; i < 3; i++) {
        var reply = http.post("/admin/products/" + P + "/restock", new JsonObject().put("quantity", 1_000_000_000),
            "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN);
        statuses.add(reply.statusCode());
        last = reply.bodyAsJsonObject();
      }

      assertThat(statuses).containsExactly(200, 200, 400);
      assertThat(last.getString("error")).isEqualTo("STOCK_LIMIT");
      assertThat(last.getLong("limit")).isEqualTo(Integer.MAX_VALUE);
      assertThat(last.getLong("stock")).isEqualTo(2_000_000_010L);
      assertThat(env.dbStock(P)).isEqualTo(2_000_000_010L);
      assertThat(available()).isEqualTo(2_000_000_010L);
      assertThat(env.sql("SELECT count(*) AS n FROM stock_changes").get(0).getLong("n")).as("ledger rows").isEqualTo(2);
    }
  }

  private void reserve(int quantity) {
    assertThat(Waits.await(intake.place(P, quantity, null, null))).isInstanceOf(Placement.Accepted.class);
  }

  /** The restock's transaction alone, as if its Redis step were still on its way. */
  private StockChange commitRestock(int quantity, String requestId) {
    Restock outcome = Waits.await(restocks.restock(P, quantity, requestId));
    assertThat(outcome).isInstanceOf(Restock.Done.class);
    return ((Restock.Done) outcome).change();
  }

  private long applyRestock(StockChange restock) {
    return Waits.await(ledger.returnUnits(restock));
  }

  /** A worker takes every queued job, writes them in one transaction and acknowledges them. */
  private void writeAndAck() {
    List<OrderJob> jobs = Waits.await(queue.take(100, 100)).stream().map(OrderJob::parse).toList();
    assertThat(jobs).isNotEmpty();
    Waits.await(queue.ack(Waits.await(writer.write(jobs))));
  }

  private Long available() {
    return env.ledger(P, "available");
  }

  private void assertQuiescentAndExact() {
    assertThat(env.ledger(P, "inflight")).as("inflight").isZero();
    assertThat(available()).as("Redis available vs DB stock (I4)").isEqualTo(env.dbStock(P));
  }
}
