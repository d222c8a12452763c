package bolt.order;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sold-out answers from memory (docs/design.md): once a product is seen with no unit left, an API
 * process refuses it without asking Redis, and reopens it the moment units come back (a restock, a
 * cancellation, an order the database refused for its customer's limit), or at the latest when the
 * memory's bound has passed, if the news never came. The bound is set to 2 s here (250 ms by
 * default), so that a reopening well under it can only be the news.
 */
@Timeout(120)
class SoldOutMemoryTest {

  private static final long BOUND_MS = 2_000;
  /** Reopening on the news: well under the bound. */
  private static final long AT_ONCE_MS = 500;
  /** Orders in flight at once in a flood. */
  private static final int FLOOD_BUYERS = 16;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private TestEnv env;
  private Http http;

  @BeforeEach
  void start() {
    env = world.env();
    http = new Http(world.vertx(), env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "1",
        "BOLT_SOLD_OUT_MEMORY_MS", String.valueOf(BOUND_MS))).httpPort());
  }

  @AfterEach
  void close() {
    http.close();
  }

  private HttpResponse<Buffer> order(String product, String customer) {
    return http.post("/order", new JsonObject().put("productId", product).put("quantity", 1).put("customerId", customer));
  }

  private HttpResponse<Buffer> admin(String path, JsonObject body) {
    return http.send(HttpMethod.POST, path, body == null ? null : body.toBuffer(), "Content-Type", "application/json",
        "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN);
  }

  private void createProduct(String id, int stock) {
    assertThat(admin("/admin/products", new JsonObject().put("id", id).put("name", id).put("stock", stock)).statusCode())
        .isEqualTo(201);
  }

  /** Sells the product's last units, then sees its refusals answered from memory. */
  private String sellOut(String product, int units) {
    String last = null;
    for (int i = 0; i < units; i++) {
      var placed = order(product, "early-" + i);
      assertThat(placed.statusCode()).isEqualTo(202);
      last = placed.bodyAsJsonObject().getString("orderId");
    }
    long before = env.refusedFromMemory();
    var refused = order(product, "late");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("INSUFFICIENT_STOCK");
    assertThat(refused.bodyAsJsonObject().getLong("available")).isZero();
    assertThat(env.refusedFromMemory()).as("refusals answered from memory").isGreaterThan(before);
    return last;
  }

  /** Orders until one is accepted; returns how long that took from {@code sinceNanos}. */
  private long msUntilAccepted(String product, long sinceNanos) {
    Waits.eventually(Duration.ofSeconds(5), product + " on sale again", () -> order(product, "next").statusCode() == 202);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }

  @Test
  void aRestockReopensTheSaleAtOnce() {
    createProduct("restocked", 2);
    sellOut("restocked", 2);

    assertThat(admin("/admin/products/restocked/restock", new JsonObject().put("quantity", 1)).statusCode()).isEqualTo(200);
    long back = System.nanoTime();
    assertThat(msUntilAccepted("restocked", back)).as("ms to the first sale after the restock").isLessThan(AT_ONCE_MS);
  }

  @Test
  void aCancellationReopensTheSaleAtOnce() {
    createProduct("cancelled", 1);
    String sold = sellOut("cancelled", 1);
    Waits.eventually(Duration.ofSeconds(30), "the order written",
        () -> "CONFIRMED".equals(http.get("/order/" + sold).bodyAsJsonObject().getString("status")));

    assertThat(admin("/admin/orders/" + sold + "/cancel", null).statusCode()).isEqualTo(200);
    long back = System.nanoTime();
    assertThat(msUntilAccepted("cancelled", back)).as("ms to the first sale after the cancellation").isLessThan(AT_ONCE_MS);
  }

  /** A Redis that lost alice's count accepts her second unit; the database refuses it and the ack gives the unit back. */
  @Test
  void anOrderTheDatabaseRefusesForItsLimitReopensTheSaleAtOnce() {
    assertThat(admin("/admin/products", new JsonObject().put("id", "limited").put("name", "limited").put("stock", 2)
        .put("limitPerCustomer", 1)).statusCode()).isEqualTo(201);
    String first = order("limited", "alice").bodyAsJsonObject().getString("orderId");
    Waits.eventually(Duration.ofSeconds(30), "alice's first order written",
        () -> "CONFIRMED".equals(http.get("/order/" + first).bodyAsJsonObject().getString("status")));
    env.redis(Command.HDEL, env.keys("limited").customerUnits("limited"), "alice");

    String second = order("limited", "alice").bodyAsJsonObject().getString("orderId");
    assertThat(order("limited", "bob").statusCode()).as("sold out in Redis meanwhile").isEqualTo(400);
    Waits.eventually(Duration.ofSeconds(30), "alice's second order refused by the database",
        () -> "REJECTED".equals(http.get("/order/" + second).bodyAsJsonObject().getString("status")));
    long back = System.nanoTime();
    assertThat(msUntilAccepted("limited", back)).as("ms to the first sale after the refusal").isLessThan(AT_ONCE_MS);
  }

  /**
   * A sold-out product under a flood keeps being refused from memory, past the bound too: past half
   * the bound one order checks Redis again and renews the memory, while the others are still refused
   * from memory. Without that, every order in flight when the memory ran out would ask Redis.
   */
  @Test
  void aFloodOnASoldOutProductAsksRedisAboutOncePerHalfBound() {
    createProduct("flooded", 1);
    sellOut("flooded", 1);
    long refused = env.refusedForStock();
    long fromMemory = env.refusedFromMemory();

    long floodMs = BOUND_MS * 5 / 4;
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(floodMs);
    List<Future<Integer>> buyers = new ArrayList<>();
    for (int i = 0; i < FLOOD_BUYERS; i++) {
      buyers.add(buyUntil("flooded", until, 0));
    }
    int orders = Waits.await(Future.all(buyers)).<Integer>list().stream().mapToInt(Integer::intValue).sum();

    long askedRedis = (env.refusedForStock() - refused) - (env.refusedFromMemory() - fromMemory);
    assertThat(env.refusedForStock() - refused).as("every order of the flood refused").isEqualTo(orders);
    // checks at about half and at about the whole bound, and one more for the slack of timing
    assertThat(askedRedis).as("of %d refusals, those that asked Redis", orders).isBetween(1L, 3L);
  }

  /** Orders one at a time until the deadline; how many it placed. */
  private Future<Integer> buyUntil(String product, long untilNanos, int placed) {
    if (System.nanoTime() - untilNanos > 0) {
      return Future.succeededFuture(placed);
    }
    return http.sendAsync(HttpMethod.POST, "/order", new JsonObject().put("productId", product).put("quantity", 1)
            .toBuffer(), "Content-Type", "application/json")
        .compose(answer -> {
          assertThat(answer.statusCode()).isEqualTo(400);
          return buyUntil(product, untilNanos, placed + 1);
        });
  }

  /** Units that come back without news (changed by hand): the memory holds them back for at most its bound. */
  @Test
  void unitsThatComeBackUnannouncedAreSoldWithinTheBound() {
    createProduct("silent", 1);
    sellOut("silent", 1);

    // as a stock change made behind Bolt's back would: no version, no script, no message
    env.sql("UPDATE products SET stock = stock + 1 WHERE id = 'silent'");
    env.redis(Command.HINCRBY, env.keys("silent").product("silent"), "available", 1);
    long back = System.nanoTime();
    long remembered = env.refusedFromMemory();
    long waited = msUntilAccepted("silent", back);
    assertThat(env.refusedFromMemory()).as("refusals from memory meanwhile").isGreaterThan(remembered);
    assertThat(waited).as("ms until the memory asked Redis again").isLessThan(BOUND_MS + 500);
  }
}
