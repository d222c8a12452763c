package bolt.order;

import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I1 and I5 under contention at the intake: 64 concurrent clients race for 1,000 units with 5,000
 * orders. Only the HTTP role runs, so nothing drains the queue and Redis shows exactly what intake did.
 */
class OversellTest {

  private static final int STOCK = 1_000;
  private static final int CLIENTS = 64;
  private static final int ORDERS = 5_000;

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static Vertx vertx;
  private static TestEnv env;
  private static Http http;

  /** One answer, with what was asked. */
  private record Outcome(int quantity, int status, JsonObject body) {
  }

  @BeforeAll
  static void start() {
    vertx = world.vertx();
    env = world.env();
    env.createProduct("hot", STOCK);
    var config = env.start(Map.of("BOLT_ROLES", "http"));
    http = new Http(vertx, config.httpPort(), CLIENTS);
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  @Test
  void sellsExactlyTheStockAndRefusesOnlyWhenTooFewAreLeft() {
    List<Outcome> outcomes = placeConcurrently();

    assertThat(outcomes).hasSize(ORDERS);
    assertThat(outcomes).extracting(Outcome::status).containsOnly(202, 400);

    List<Outcome> accepted = outcomes.stream().filter(o -> o.status() == 202).toList();
    List<Outcome> refused = outcomes.stream().filter(o -> o.status() == 400).toList();

    // I1: never more than the stock; I5: and not fewer either, since 1-unit orders kept coming after sell-out
    int acceptedUnits = accepted.stream().mapToInt(Outcome::quantity).sum();
    assertThat(acceptedUnits).isEqualTo(STOCK);
    for (Outcome o : accepted) {
      assertThat(o.body().getString("status")).isEqualTo("PENDING");
      assertThat(o.body().getInteger("quantity")).isEqualTo(o.quantity());
      assertThat(o.body().getLong("available")).isBetween(0L, (long) STOCK - o.quantity());
    }
    // I5: a refusal is only ever for asking more than what was left at that instant
    for (Outcome o : refused) {
      assertThat(o.body().getString("error")).isEqualTo("INSUFFICIENT_STOCK");
      assertThat(o.body().getInteger("requested")).isEqualTo(o.quantity());
      assertThat(o.body().getLong("available")).isBetween(0L, (long) o.quantity() - 1);
    }

    assertThat(env.ledger("hot", "available")).isZero();
    assertThat(env.ledger("hot", "inflight")).isEqualTo(acceptedUnits);

    // the queue holds exactly the accepted orders: same ids, same units
    Set<String> acceptedIds = new HashSet<>();
    accepted.forEach(o -> acceptedIds.add(o.body().getString("orderId")));
    assertThat(acceptedIds).hasSize(accepted.size());
    Response queued = env.redis(Command.LRANGE, env.keys("hot").queue(), 0, -1);
    Set<String> queuedIds = new HashSet<>();
    int queuedUnits = 0;
    for (Response entry : queued) {
      OrderJob job = OrderJob.parse(entry.toString());
      assertThat(job.productId()).isEqualTo("hot");
      queuedIds.add(job.orderId().toString());
      queuedUnits += job.quantity();
    }
    assertThat(queued.size()).isEqualTo(accepted.size());
    assertThat(queuedIds).isEqualTo(acceptedIds);
    assertThat(queuedUnits).isEqualTo(STOCK);

    // every accepted order answers PENDING from its marker while unwritten
    accepted.stream().limit(25).forEach(o -> {
      String id = o.body().getString("orderId");
      var reply = http.get("/order/" + id);
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.bodyAsJsonObject().getString("status")).isEqualTo("PENDING");
      assertThat(reply.bodyAsJsonObject().getInteger("quantity")).isEqualTo(o.quantity());
    });
  }

  /** CLIENTS request chains, each sending its next order when the previous one is answered. */
  private static List<Outcome> placeConcurrently() {
    Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    AtomicInteger toSend = new AtomicInteger(ORDERS);
    List<Future<Void>> chains = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Promise<Void> done = Promise.promise();
      chain(toSend, outcomes, done);
      chains.add(done.future());
    }
    awaitLong(Future.all(chains));
    return new ArrayList<>(outcomes);
  }

  private static void chain(AtomicInteger toSend, Queue<Outcome> outcomes, Promise<Void> done) {
    if (toSend.getAndDecrement() <= 0) {
      done.complete();
      return;
    }
    int quantity = ThreadLocalRandom.current().nextInt(1, 4);
    Buffer body = new JsonObject().put("productId", "hot").put("quantity", quantity).toBuffer();
    http.sendAsync(HttpMethod.POST, "/order", body, "Content-Type", "application/json").onComplete(reply -> {
      if (reply.failed()) {
        done.fail(reply.cause());
        return;
      }
      outcomes.add(new Outcome(quantity, reply.result().statusCode(), reply.result().bodyAsJsonObject()));
      chain(toSend, outcomes, done);
    });
  }

  private static void awaitLong(Future<?> future) {
    try {
      future.await(180, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("5,000 orders not answered within 180 s", e);
    }
  }
}
