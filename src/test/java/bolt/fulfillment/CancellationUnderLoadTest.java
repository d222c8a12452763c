package bolt.fulfillment;

import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
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
 * Cancellations while orders flow (docs/design.md: giving units back): 100 confirmed orders are
 * cancelled, some twice at once, while buyers keep taking a stock that runs out. Every cancelled
 * unit goes back once and is sold again at most once; PostgreSQL and Redis agree at the end.
 */
@Timeout(240)
class CancellationUnderLoadTest {

  private static final Map<String, Integer> INITIAL = Map.of("x", 400, "y", 400);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  @Test
  void cancelledUnitsGoBackOnceAndAreSoldAgainAtMostOnce() {
    TestEnv env = world.env();
    INITIAL.forEach(env::createProduct);
    // a bound for each request far above what it needs: on a busy 2-core machine, 150 cancellations of
    // two products queue on their row locks behind each other and the workers' batches
    int port = env.start(Map.of("BOLT_FULFILLMENT_INSTANCES", "2", "BOLT_REDIS_TIMEOUT_MS", "10000")).httpPort();
    OrderLoad load = OrderLoad.start(world.vertx(), port, List.copyOf(INITIAL.keySet()), 8, Long.MAX_VALUE,
        Duration.ofMillis(10));
    try (Http admin = new Http(world.vertx(), port, 32)) {
      Set<String> cancelled = new HashSet<>();
      List<Future<HttpResponse<Buffer>>> cancels = new ArrayList<>();
      while (cancelled.size() < 100) {
        Waits.eventually(Duration.ofSeconds(30), "orders written", () -> confirmedNotCancelled(env, cancelled) > 0);
        for (String id : confirmedIds(env, cancelled, 100 - cancelled.size())) {
          cancelled.add(id);
          // every third one twice, at once
          int times = cancelled.size() % 3 == 0 ? 2 : 1;
          for (int i = 0; i < times; i++) {
            cancels.add(admin.sendAsync(HttpMethod.POST, "/admin/orders/" + id + "/cancel", null,
                "Authorization", "Bearer " + TestEnv.ADMIN_TOKEN));
          }
        }
      }
      Waits.await(Future.join(cancels));
      assertThat(cancels).allSatisfy(reply -> assertThat(reply.result().statusCode()).isEqualTo(200));

      Waits.eventually(Duration.ofSeconds(60), "the stock sold out, cancelled units included",
          () -> INITIAL.keySet().stream().allMatch(id -> env.dbStock(id) <= 3));
      load.stopAndAwait(Duration.ofSeconds(30));
    }
    Invariants.awaitDrained(env, INITIAL.keySet(), Duration.ofSeconds(60));

    assertThat(load.statuses().keySet()).as("answers").containsOnly(202, 400);
    assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE status = 'CANCELLED'").get(0).getLong("n"))
        .isEqualTo(100);
    assertThat(env.sql("SELECT count(*) AS n FROM stock_changes WHERE kind = 'CANCEL'").get(0).getLong("n"))
        .as("stock changes, one per cancelled order").isEqualTo(100);
    assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE status = 'REJECTED'").get(0).getLong("n"))
        .as("orders Redis accepted for units the DB did not have").isZero();
    Set<String> written = new HashSet<>();
    env.sql("SELECT id::text AS id FROM orders").forEach(row -> written.add(row.getString("id")));
    assertThat(load.accepted()).as("accepted orders written").allSatisfy(id -> assertThat(written).contains(id));
    for (var product : INITIAL.entrySet()) {
      Row sold = env.sql("SELECT coalesce(sum(quantity), 0) AS units FROM orders WHERE product_id = $1 "
          + "AND status IN ('CONFIRMED', 'PAID')", product.getKey()).get(0);
      assertThat(sold.getLong("units") + env.dbStock(product.getKey())).as("units sold + stock of %s", product.getKey())
          .isEqualTo(product.getValue().longValue());
      assertThat(env.ledger(product.getKey(), "available")).as("Redis available of %s", product.getKey())
          .isEqualTo(env.dbStock(product.getKey()));
    }
  }

  private static long confirmedNotCancelled(TestEnv env, Set<String> cancelled) {
    return confirmedIds(env, cancelled, 1).size();
  }

  private static List<String> confirmedIds(TestEnv env, Set<String> excluded, int max) {
    return env.sql("SELECT id::text AS id FROM orders WHERE status = 'CONFIRMED' ORDER BY id LIMIT 500").stream()
        .map(row -> row.getString("id")).filter(id -> !excluded.contains(id)).limit(max).toList();
  }
}
