package bolt.support;

import bolt.stock.Keys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The design's invariants (design.md I1-I4) as checks on one {@link TestEnv}'s Redis keys and
 * database, for tests that end with "wait until everything is written, then nothing is lost or sold twice".
 */
public final class Invariants {

  private Invariants() {
  }

  /**
   * Waits until nothing is in flight: the queue and every processing list are empty and no product has
   * units in flight. A killed worker's list counts as not drained until a reaper has recovered it.
   */
  public static void awaitDrained(TestEnv env, Collection<String> productIds, Duration deadline) {
    try {
      Waits.eventually(deadline, "queue, processing lists and inflight drained", () -> drained(env, productIds));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; state: " + describe(env, productIds), e);
    }
  }

  /** I1-I4 after a drain, when every accepted order got its answer: see the four-argument form. */
  public static void assertConsistent(TestEnv env, Map<String, Integer> initialStock, Set<String> acceptedIds) {
    assertConsistent(env, initialStock, acceptedIds, Set.of());
  }

  /**
   * After a drain: every order answered 202 is in {@code orders} exactly once and nothing else is,
   * except orders of requests that never got an answer (identified by their customerId: the server
   * may have reserved them just before it went away); no order is REJECTED, since Redis refuses what
   * is not there; per product, units sold (CONFIRMED and PAID; a CANCELLED order's units went back)
   * + DB stock == initial stock, stock is not negative,
   * Redis available == DB stock and nothing is in flight; the queue, processing lists and dead-letter
   * list are empty, and no drift correction was needed.
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
    assertThat(duplicates).as("orders written more than once").isEmpty();
    List<String> missing = acceptedIds.stream().filter(id -> !written.contains(id)).limit(10).toList();
    assertThat(missing).as("accepted orders missing from the orders table (first 10)").isEmpty();
    List<String> strangers = rows.stream()
        .filter(row -> !acceptedIds.contains(row.getString("id")))
        .filter(row -> !unansweredCustomers.contains(row.getString("customer_id")))
        .map(row -> row.getString("id")).limit(10).toList();
    assertThat(strangers).as("orders in the database that no buyer was told about (first 10)").isEmpty();
    assertThat(rows).as("orders stored REJECTED although Redis had reserved their units")
        .noneMatch(row -> row.getString("status").equals("REJECTED"));

    Map<String, Long> confirmed = new TreeMap<>();
    for (Row row : env.sql("SELECT product_id, sum(quantity) AS units FROM orders WHERE status IN ('CONFIRMED', "
        + "'PAID') GROUP BY product_id")) {
      confirmed.put(row.getString("product_id"), row.getLong("units"));
    }
    for (Map.Entry<String, Integer> product : initialStock.entrySet()) {
      String id = product.getKey();
      long stock = env.dbStock(id);
      long units = confirmed.getOrDefault(id, 0L);
      assertThat(stock).as("DB stock of %s", id).isGreaterThanOrEqualTo(0);
      assertThat(units + stock).as("units sold (%d) + DB stock (%d) of %s (I1)", units, stock, id)
          .isEqualTo(product.getValue().longValue());
      assertThat(env.ledger(id, "inflight")).as("inflight of %s", id).isEqualTo(0L);
      assertThat(env.ledger(id, "available")).as("Redis available of %s vs DB stock (I4)", id).isEqualTo(stock);
    }
    assertThat(env.queueLength()).as("queue length").isZero();
    assertThat(processingLists(env)).as("non-empty processing lists").isEmpty();
    assertThat(env.sum(Keys::deadLetters)).as("dead letters").isZero();
    for (Keys shard : env.shards().all()) {
      Response drift = env.redis(Command.GET, shard.drift());
      assertThat(drift == null ? 0L : drift.toLong()).as("drift corrections in shard %d", shard.shard()).isZero();
    }
  }

  /** Order ids of the jobs in the queue and in every processing list (accepted, not yet acknowledged). */
  public static Set<String> queuedOrderIds(TestEnv env) {
    Set<String> ids = new HashSet<>();
    List<String> lists = new ArrayList<>(processingLists(env).keySet());
    env.shards().all().forEach(shard -> lists.add(shard.queue()));
    for (String list : lists) {
      for (Response job : env.redis(Command.LRANGE, list, 0, -1)) {
        ids.add(new JsonObject(job.toString()).getString("orderId"));
      }
    }
    return ids;
  }

  /** Every non-empty processing list of the environment, with its length. */
  public static Map<String, Long> processingLists(TestEnv env) {
    Map<String, Long> lists = new TreeMap<>();
    for (String key : env.scan("processing:*")) {
      long length = env.redis(Command.LLEN, key).toLong();
      if (length > 0) {
        lists.put(key, length);
      }
    }
    return lists;
  }

  private static boolean drained(TestEnv env, Collection<String> productIds) {
    if (env.queueLength() > 0 || !processingLists(env).isEmpty()) {
      return false;
    }
    return productIds.stream().allMatch(id -> Long.valueOf(0).equals(env.ledger(id, "inflight")));
  }

  private static String describe(TestEnv env, Collection<String> productIds) {
    StringBuilder state = new StringBuilder("queue=").append(env.queueLength())
        .append(", processing=").append(processingLists(env)).append(", inflight={");
    productIds.forEach(id -> state.append(id).append('=').append(env.ledger(id, "inflight")).append(' '));
    return state.append("}, workers=").append(env.redis(Command.ZRANGE, env.keys().workers(), 0, -1, "WITHSCORES"))
        .toString();
  }
}
