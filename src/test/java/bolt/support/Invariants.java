package bolt.support;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks of design.md's invariants once the system is quiet, shared by the fulfillment tests:
 * wait until nothing is in flight, then compare what buyers were told with the database and Redis.
 */
public final class Invariants {

  private Invariants() {
  }

  /** Waits until the queue and every processing list are empty and no product has units in flight. */
  public static void awaitDrained(TestEnv env, Collection<String> products, Duration deadline) {
    TestEnv.eventually(deadline, "queue, processing lists and inflight of " + products + " all empty", () ->
        env.queueLength() == 0 && processingLists(env).stream().allMatch(list -> llen(env, list) == 0)
            && products.stream().allMatch(p -> Long.valueOf(0).equals(env.ledger(p, "inflight"))));
  }

  /** The Redis keys of all workers' processing lists of this environment. */
  public static List<String> processingLists(TestEnv env) {
    List<String> lists = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = env.redis(Command.SCAN, cursor, "MATCH", env.keys().processingPrefix() + "*", "COUNT", 1000);
      cursor = page.get(0).toString();
      page.get(1).forEach(key -> lists.add(key.toString()));
    } while (!cursor.equals("0"));
    return lists;
  }

  /** Every job not yet written: the queue's and all processing lists' raw job strings. */
  public static List<String> pendingJobs(TestEnv env) {
    List<String> jobs = new ArrayList<>();
    env.redis(Command.LRANGE, env.keys().queue(), 0, -1).forEach(job -> jobs.add(job.toString()));
    for (String list : processingLists(env)) {
      env.redis(Command.LRANGE, list, 0, -1).forEach(job -> jobs.add(job.toString()));
    }
    return jobs;
  }

  /** I1-I4 after a drain, when every accepted order got its answer: see the four-argument form. */
  public static void assertConsistent(TestEnv env, Map<String, Integer> initialStock, Set<String> acceptedIds) {
    assertConsistent(env, initialStock, acceptedIds, Set.of());
  }

  /**
   * After a drain: every order answered 202 is in {@code orders} exactly once and nothing else is,
   * except orders of requests that never got an answer (identified by their customerId: the server
   * may have reserved them just before it went away); no order is REJECTED, since Redis refuses what
   * is not there; per product, confirmed units + DB stock == initial stock, stock is not negative,
   * Redis available == DB stock and nothing is in flight; no dead letters, no drift corrections.
   */
  public static void assertConsistent(TestEnv env, Map<String, Integer> initialStock, Set<String> acceptedIds,
                                      Set<String> unansweredCustomers) {
    List<Row> rows = env.sql("SELECT id::text AS id, customer_id, status FROM orders");
    Set<String> written = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    for (Row row : rows) {
      if (!written.add(row.getString("id"))) {
        duplicates.add(row.getString("id"));
      }
    }
    assertThat(duplicates).as("orders written twice").isEmpty();
    Set<String> missing = new HashSet<>(acceptedIds);
    missing.removeAll(written);
    assertThat(missing).as("orders answered 202 but not in the database").isEmpty();
    List<String> strangers = rows.stream()
        .filter(row -> !acceptedIds.contains(row.getString("id")))
        .filter(row -> !unansweredCustomers.contains(row.getString("customer_id")))
        .map(row -> row.getString("id")).toList();
    assertThat(strangers).as("orders in the database that no buyer was told about").isEmpty();
    assertThat(rows).as("orders stored REJECTED although Redis had reserved their units")
        .noneMatch(row -> row.getString("status").equals("REJECTED"));

    Map<String, Long> confirmed = new HashMap<>();
    env.sql("SELECT product_id, sum(quantity) AS units FROM orders WHERE status = 'CONFIRMED' GROUP BY product_id")
        .forEach(row -> confirmed.put(row.getString("product_id"), row.getLong("units")));
    initialStock.forEach((product, initial) -> {
      long stock = env.dbStock(product);
      long units = confirmed.getOrDefault(product, 0L);
      assertThat(stock).as("DB stock of %s", product).isGreaterThanOrEqualTo(0);
      assertThat(units + stock).as("confirmed units + DB stock of %s (I1)", product).isEqualTo(initial.longValue());
      assertThat(env.ledger(product, "inflight")).as("inflight of %s", product).isZero();
      assertThat(env.ledger(product, "available")).as("Redis available of %s == DB stock (I4)", product)
          .isEqualTo(stock);
    });
    assertThat(env.redis(Command.LLEN, env.keys().deadLetters()).toLong()).as("dead letters").isZero();
    Response drift = env.redis(Command.GET, env.keys().drift());
    assertThat(drift == null ? 0L : drift.toLong()).as("drift corrections").isZero();
  }

  private static long llen(TestEnv env, String list) {
    return env.redis(Command.LLEN, list).toLong();
  }
}
