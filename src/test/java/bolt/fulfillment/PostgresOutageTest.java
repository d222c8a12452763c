package bolt.fulfillment;

import bolt.support.Invariants;
import bolt.support.OrderLoad;
import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * design.md failure model, "PostgreSQL down or unreachable": the workers reach PostgreSQL through a
 * proxy that the test cuts for at least five seconds while buyers keep ordering. Intake keeps
 * answering 202 (it needs only Redis), jobs wait, the drain resumes by itself after the restore,
 * and every accepted order ends up written exactly once.
 */
@Timeout(300)
class PostgresOutageTest {

  private static final Duration OUTAGE = Duration.ofSeconds(5);

  @Test
  void intakeKeepsAcceptingDuringAnOutageAndNothingIsLost() {
    Vertx vertx = Vertx.vertx();
    try (TestEnv env = TestEnv.create(vertx)) {
      Map<String, Integer> initialStock = new LinkedHashMap<>();
      for (String id : List.of("a", "b", "c", "d")) {
        // more than the load can buy: every refusal would be a bug here
        initialStock.put(id, 100_000);
        env.createProduct(id, 100_000);
      }
      PgConnectOptions pg = PgConnectOptions.fromUri(env.pgUrl());
      try (TcpProxy proxy = new TcpProxy(vertx, pg.getHost(), pg.getPort())) {
        String proxied = "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:" + proxy.port()
            + "/" + pg.getDatabase();
        var config = env.start(Map.of("BOLT_PG_URL", proxied, "BOLT_FULFILLMENT_INSTANCES", "4"));
        OrderLoad load = OrderLoad.start(vertx, config.httpPort(), List.copyOf(initialStock.keySet()), 16,
            Long.MAX_VALUE);
        try {
          Waits.eventually(Duration.ofSeconds(60), "orders accepted and written before the outage",
              () -> load.acceptedCount() >= 300 && writtenOrders(env) > 0);

          proxy.down();
          long cutAt = System.nanoTime();
          int acceptedAtCut = load.acceptedCount();
          Waits.eventually(Duration.ofSeconds(90), "an outage of " + OUTAGE.toSeconds() + " s with orders accepted",
              () -> System.nanoTime() - cutAt >= OUTAGE.toNanos() && load.acceptedCount() >= acceptedAtCut + 500);
          int acceptedDuringCut = load.acceptedCount() - acceptedAtCut;
          assertThat(Invariants.queuedOrderIds(env)).as("jobs waiting for PostgreSQL").isNotEmpty();
          assertThat(load.serverErrors()).as("5xx answers during the outage").isZero();
          proxy.forward();

          int acceptedAtRestore = load.acceptedCount();
          Waits.eventually(Duration.ofSeconds(60), "orders accepted after the restore",
              () -> load.acceptedCount() >= acceptedAtRestore + 300);
          assertThat(acceptedDuringCut).as("orders accepted while PostgreSQL was unreachable").isPositive();
        } finally {
          load.stop();
          load.awaitDone(Duration.ofSeconds(60));
        }

        assertThat(load.serverErrors()).as("5xx answers").isZero();
        assertThat(load.unexpected()).as("answers other than 202").isZero();
        assertThat(load.count(400)).as("refusals while stock lasted").isZero();
        assertThat(load.unansweredCustomers()).as("requests without an answer").isEmpty();
        Invariants.awaitDrained(env, initialStock.keySet(), Duration.ofSeconds(120));
        Invariants.assertConsistent(env, initialStock, load.accepted());
      }
    } finally {
      vertx.close();
    }
  }

  private static long writtenOrders(TestEnv env) {
    // the test's own connection goes to PostgreSQL directly, not through the proxy
    return env.sql("SELECT count(*) AS n FROM orders").get(0).getLong("n");
  }
}
