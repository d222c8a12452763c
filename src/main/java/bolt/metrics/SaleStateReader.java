package bolt.metrics;

import bolt.infra.Unavailable;
import bolt.stock.Keys;
import bolt.stock.Product;
import bolt.stock.ProductRepository;
import bolt.stock.Shards;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@link SaleState}: the product list from PostgreSQL, then, in each shard, two Redis
 * pipelines (the counts, the shard's products' units and the worker list; then the length of each
 * worker's processing list), each bounded by the backend timeout; the shards' counts are summed. Never fails: a backend that does not answer is
 * reported down in the state. Used at scrape time and once a second while a console watches,
 * never per request. One reader per verticle; its last product list is kept for a PostgreSQL outage.
 */
public final class SaleStateReader {

  /** Dead letters shown with their reason (the newest). */
  static final int RECENT_DEAD_LETTERS = 10;
  /** The first pipeline's reads before the products' (TIME, the queue, the dead letters twice, drift, workers). */
  private static final int FIXED_READS = 6;

  private final Redis redis;
  private final ProductRepository products;
  private final Shards shards;
  private final long timeoutMs;
  private List<Product> lastProducts = List.of();

  public SaleStateReader(Redis redis, ProductRepository products, Shards shards, long timeoutMs) {
    this.redis = redis;
    this.products = products;
    this.shards = shards;
    this.timeoutMs = timeoutMs;
  }

  public Future<SaleState> read() {
    return Unavailable.guard("postgres", timeoutMs, products.all()).transform(listed -> {
      boolean postgresUp = listed.succeeded();
      if (postgresUp) {
        lastProducts = listed.result();
      }
      List<Product> known = lastProducts;
      return readRedis(known).transform(redisRead -> Future.succeededFuture(redisRead.succeeded()
          ? redisRead.result().toState(known, postgresUp)
          : new SaleState(Instant.now(), false, postgresUp, known.stream()
              .map(product -> new SaleState.ProductUnits(product, null, null)).toList(), 0, 0, 0, 0, List.of(), 0)));
    });
  }

  /** What the Redis pipelines returned, before it is put beside the products. */
  private record RedisSide(Instant at, long queued, long processing, Set<String> workers, long deadLetters,
                           List<JsonObject> recent, long drift, Response[] units) {

    SaleState toState(List<Product> known, boolean postgresUp) {
      List<SaleState.ProductUnits> listed = new ArrayList<>(known.size());
      for (int i = 0; i < known.size(); i++) {
        Response fields = units[i];
        listed.add(fields == null ? new SaleState.ProductUnits(known.get(i), null, null)
            : new SaleState.ProductUnits(known.get(i), number(fields.get(0)), number(fields.get(1))));
      }
      return new SaleState(at, true, postgresUp, listed, queued, processing, workers.size(), deadLetters, recent,
          drift);
    }

    /** Two shards' reads as one: counts summed, workers (listed in every shard they take from) counted once. */
    RedisSide plus(RedisSide other) {
      Set<String> all = new HashSet<>(workers);
      all.addAll(other.workers);
      List<JsonObject> letters = new ArrayList<>(recent);
      letters.addAll(other.recent);
      return new RedisSide(at, queued + other.queued, processing + other.processing, all,
          deadLetters + other.deadLetters, letters.subList(0, Math.min(letters.size(), RECENT_DEAD_LETTERS)),
          drift + other.drift, units);
    }
  }

  /** Every shard read at once (a pipeline may not span Redis Cluster's nodes), then summed. */
  private Future<RedisSide> readRedis(List<Product> known) {
    Response[] units = new Response[known.size()];
    List<Future<RedisSide>> reads = new ArrayList<>(shards.count());
    for (Keys keys : shards.all()) {
      List<Integer> indexes = new ArrayList<>();
      for (int i = 0; i < known.size(); i++) {
        if (known.get(i).shard() == keys.shard()) {
          indexes.add(i);
        }
      }
      reads.add(readShard(keys, known, indexes, units));
    }
    return Future.all(reads).map(all -> reads.stream().map(Future::result).reduce(RedisSide::plus).orElseThrow());
  }

  private Future<RedisSide> readShard(Keys keys, List<Product> known, List<Integer> indexes, Response[] units) {
    List<Request> reads = new ArrayList<>(FIXED_READS + indexes.size());
    reads.add(Request.cmd(Command.TIME));
    reads.add(Request.cmd(Command.LLEN).arg(keys.queue()));
    reads.add(Request.cmd(Command.LLEN).arg(keys.deadLetters()));
    reads.add(Request.cmd(Command.LRANGE).arg(keys.deadLetters()).arg(0).arg(RECENT_DEAD_LETTERS - 1));
    reads.add(Request.cmd(Command.GET).arg(keys.drift()));
    reads.add(Request.cmd(Command.ZRANGE).arg(keys.workers()).arg(0).arg(-1));
    for (int i : indexes) {
      reads.add(Request.cmd(Command.HMGET).arg(keys.product(known.get(i).id())).arg("available").arg("inflight"));
    }
    return guard(redis.batch(reads)).compose(replies -> {
      List<String> workers = new ArrayList<>();
      replies.get(5).forEach(worker -> workers.add(worker.toString()));
      return processing(keys, workers).map(processing -> {
        Response time = replies.get(0);
        Instant at = Instant.ofEpochSecond(time.get(0).toLong(), time.get(1).toLong() * 1_000);
        List<JsonObject> recent = new ArrayList<>();
        replies.get(3).forEach(entry -> recent.add(deadLetter(entry.toString())));
        for (int j = 0; j < indexes.size(); j++) {
          units[indexes.get(j)] = replies.get(FIXED_READS + j);
        }
        return new RedisSide(at, replies.get(1).toLong(), processing, new HashSet<>(workers), replies.get(2).toLong(),
            recent, replies.get(4) == null ? 0 : replies.get(4).toLong(), units);
      });
    });
  }

  /** Jobs in the processing lists of the listed workers (an expired worker's list counts until it is reaped). */
  private Future<Long> processing(Keys keys, List<String> workers) {
    if (workers.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    List<Request> lengths = workers.stream()
        .map(worker -> Request.cmd(Command.LLEN).arg(keys.processing(worker))).toList();
    return guard(redis.batch(lengths)).map(replies -> replies.stream().mapToLong(Response::toLong).sum());
  }

  /** A dead-letter entry as dead_letter.lua stores it: {job, reason, worker, at}; the job's order id pulled out. */
  private static JsonObject deadLetter(String entry) {
    try {
      JsonObject letter = new JsonObject(entry);
      JsonObject shown = new JsonObject().put("reason", letter.getString("reason"))
          .put("worker", letter.getString("worker")).put("at", letter.getValue("at"));
      try {
        shown.put("orderId", new JsonObject(letter.getString("job", "")).getString("orderId"));
      } catch (DecodeException | ClassCastException unparseable) {
        shown.put("orderId", null); // a MALFORMED_JOB: there is no order id to show
      }
      return shown;
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject().put("reason", "UNREADABLE_ENTRY");
    }
  }

  private static Long number(Response value) {
    return value == null ? null : value.toLong();
  }

  private <T> Future<T> guard(Future<T> call) {
    return Unavailable.guard("redis", timeoutMs, call);
  }
}
