package bolt.fulfillment;

import bolt.order.OrderService;
import bolt.order.Placement;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * design.md failure model, "poison job": a job that can never be written goes to the dead-letter
 * list with its reason, its reservation is released, the buyer sees REJECTED, and the orders queued
 * around it are written as usual.
 */
@Timeout(180)
class PoisonJobTest {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static WebClient web;
  private static int port;

  @BeforeAll
  static void startBolt() {
    vertx = world.vertx();
    env = world.env();
    for (String id : List.of("plain", "beside-ghost", "beside-bad-data")) {
      env.createProduct(id, 100);
    }
    port = env.start(Map.of()).httpPort();
    web = WebClient.create(vertx);
  }

  @Test
  void unparseableJobIsDeadLetteredAndTheQueueKeepsMoving() {
    env.redis(Command.LPUSH, env.keys().queue(), "not json");
    Waits.eventually(DEADLINE, "the bad job in the dead-letter list", () -> deadLetter("not json").isPresent());
    assertThat(deadLetter("not json").get().getString("reason")).isEqualTo("MALFORMED_JOB");

    String after = placeOrder("plain", 1);
    awaitStatus(after, "CONFIRMED");
    assertThat(env.queueLength()).isZero();
  }

  @Test
  void orderForAProductMissingInTheDatabaseIsRejectedAndItsUnitsReleased() {
    env.redis(Command.HSET, env.keys("ghost").product("ghost"), "available", 5, "inflight", 0, "dbstock", 5, "dbver", 0);
    List<String> neighbours = new ArrayList<>();
    neighbours.add(placeOrder("beside-ghost", 1));
    String ghostOrder = placeOrder("ghost", 2);
    neighbours.add(placeOrder("beside-ghost", 2));

    awaitStatus(ghostOrder, "REJECTED");
    assertThat(order(ghostOrder).getString("reason")).isEqualTo("UNKNOWN_PRODUCT");
    assertThat(deadLetter(ghostOrder)).hasValueSatisfying(
        entry -> assertThat(entry.getString("reason")).isEqualTo("UNKNOWN_PRODUCT"));
    assertThat(env.ledger("ghost", "available")).as("ghost units released").isEqualTo(5);
    assertThat(env.ledger("ghost", "inflight")).isZero();
    for (String id : neighbours) {
      awaitStatus(id, "CONFIRMED");
    }
    assertThat(env.dbStock("beside-ghost")).isEqualTo(97);
  }

  /**
   * A data error (SQLSTATE class 22): a job whose customerId holds a NUL character, which a
   * PostgreSQL text column cannot store (22021). Intake refuses such input (see below), so the job
   * is placed through OrderService itself, behind the HTTP validation, as a job from a corrupted or
   * older writer would be. It fails alone maxAttempts times, then is dead-lettered; its neighbours are written.
   */
  @Test
  void jobPostgresRejectsAsBadDataIsDeadLetteredAfterBoundedRetries() {
    String before = placeOrder("beside-bad-data", 1);
    Placement reserved = Waits.await(env.intake().place("beside-bad-data", 3, "nul\u0000here", null));
    assertThat(reserved).isInstanceOf(Placement.Accepted.class);
    UUID badId = ((Placement.Accepted) reserved).orderId();
    String after = placeOrder("beside-bad-data", 2);

    awaitStatus(badId.toString(), "REJECTED");
    assertThat(order(badId.toString()).getString("reason")).isEqualTo("DB_ERROR 22021");
    assertThat(deadLetter(badId.toString())).isPresent();
    awaitStatus(before, "CONFIRMED");
    awaitStatus(after, "CONFIRMED");
    Waits.eventually(DEADLINE, "nothing in flight", () -> env.ledger("beside-bad-data", "inflight") == 0);
    assertThat(env.dbStock("beside-bad-data")).isEqualTo(97);
    assertThat(env.ledger("beside-bad-data", "available")).as("the bad job's units released").isEqualTo(97);
    assertThat(env.sql("SELECT id FROM orders WHERE id = $1", badId)).isEmpty();
  }

  /** The front door of the case above: text the database cannot store is refused before it is accepted. */
  @Test
  void intakeRefusesACustomerIdTheDatabaseCannotStore() {
    var reply = Waits.await(web.post(port, "127.0.0.1", "/order").sendJsonObject(new JsonObject()
        .put("productId", "plain").put("quantity", 1).put("customerId", "nul\u0000here")));
    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.bodyAsJsonObject().getString("error")).isEqualTo("INVALID_REQUEST");
    assertThat(reply.bodyAsJsonObject().getJsonObject("fields").getString("customerId")).isNotBlank();
  }

  private static String placeOrder(String product, int quantity) {
    var reply = Waits.await(web.post(port, "127.0.0.1", "/order")
        .sendJsonObject(new JsonObject().put("productId", product).put("quantity", quantity)));
    assertThat(reply.statusCode()).as("POST /order for %s", product).isEqualTo(202);
    return reply.bodyAsJsonObject().getString("orderId");
  }

  private static JsonObject order(String id) {
    var reply = Waits.await(web.get(port, "127.0.0.1", "/order/" + id).send());
    assertThat(reply.statusCode()).as("GET /order/%s", id).isEqualTo(200);
    return reply.bodyAsJsonObject();
  }

  private static void awaitStatus(String id, String status) {
    Waits.eventually(DEADLINE, "order " + id + " " + status, () -> order(id).getString("status").equals(status));
  }

  /** The dead-letter entry whose job text contains {@code text}, if any. */
  private static Optional<JsonObject> deadLetter(String text) {
    List<JsonObject> entries = new ArrayList<>();
    env.redis(Command.LRANGE, env.keys().deadLetters(), 0, -1).forEach(e -> entries.add(new JsonObject(e.toString())));
    return entries.stream().filter(e -> e.getString("job").contains(text)).findFirst();
  }
}
