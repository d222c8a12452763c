package bolt.fulfillment;

import bolt.order.OrderIds;
import bolt.order.OrderJob;
import bolt.order.OrderService;
import bolt.order.OrderView;
import bolt.order.Placement;
import bolt.stock.LuaScript;
import bolt.support.Http;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/design.md, pending records: the orders of one reservation call share one field of the pending
 * hash, which GET /order reads to answer PENDING. Settling (ack) or dead-lettering some of them
 * leaves the others pending and the field goes with the last; an order of an earlier release, with a
 * field of its own, is still found and settled; a field another batch drew already keeps its jobs.
 * A test in this package drives the worker's own WorkQueue and OrderWriter, one step at a time.
 */
@Timeout(120)
class PendingRecordTest {

  private static final String SHOES = "shoes";
  private static final String HATS = "hats";

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perTest();

  private Vertx vertx;
  private TestEnv env;

  /** One order as a buyer places it. */
  private record Order(String product, int quantity, String customer) {
  }

  @BeforeEach
  void setUp() {
    vertx = world.vertx();
    env = world.env();
    for (String product : List.of(SHOES, HATS)) {
      env.createProduct(product, 10);
      // the keys start-up sync would create, by the sync's own script
      Waits.await(env.stockLedger().sync(TestEnv.product(product, 10, 0)));
    }
  }

  @Test
  void ordersOfOneTurnShareOneRecordAndEachIsFoundPendingAsPlaced() {
    List<Order> orders = List.of(new Order(SHOES, 1, "ann"), new Order(HATS, 2, "bob"), new Order(SHOES, 3, null));

    List<UUID> ids = placeInOneTurn(orders);

    String record = OrderIds.pendingRecord(ids.get(0));
    assertThat(ids).extracting(OrderIds::pendingRecord).containsOnly(record);
    assertThat(env.redis(Command.HLEN, pending()).toLong()).as("fields of the pending hash").isEqualTo(1);
    assertThat(lines(record)).as("the record: the jobs in arrival order").extracting(job -> OrderJob.parse(job).orderId())
        .containsExactlyElementsOf(ids);
    for (int i = 0; i < ids.size(); i++) {
      OrderView view = find(ids.get(i));
      assertThat(view.status()).as("status of order %d", i).isEqualTo(OrderView.PENDING);
      assertThat(view.productId()).as("product of order %d", i).isEqualTo(orders.get(i).product());
      assertThat(view.quantity()).as("quantity of order %d", i).isEqualTo(orders.get(i).quantity());
      assertThat(view.customerId()).as("customer of order %d", i).isEqualTo(orders.get(i).customer());
    }
  }

  @Test
  void settlingPartOfARecordLeavesTheRestPendingAndTheLastSettlementRemovesIt() {
    List<UUID> ids = placeInOneTurn(List.of(new Order(SHOES, 1, "ann"), new Order(HATS, 2, null),
        new Order(SHOES, 3, "cy")));
    String record = OrderIds.pendingRecord(ids.get(0));
    WorkQueue queue = worker("partial");
    Map<UUID, OrderJob> taken = take(queue, 3);

    assertThat(writeAndAck(queue, taken.get(ids.get(0)), taken.get(ids.get(1)))).as("jobs settled").isEqualTo(2);

    assertThat(find(ids.get(0)).status()).isEqualTo(OrderView.CONFIRMED);
    assertThat(find(ids.get(1)).status()).isEqualTo(OrderView.CONFIRMED);
    OrderView rest = find(ids.get(2));
    assertThat(rest.status()).as("the order not written yet").isEqualTo(OrderView.PENDING);
    assertThat(rest.quantity()).isEqualTo(3);
    assertThat(lines(record)).as("the record: the unsettled job only").containsExactly(taken.get(ids.get(2)).json());

    assertThat(writeAndAck(queue, taken.get(ids.get(2)))).as("jobs settled").isEqualTo(1);

    assertThat(env.redis(Command.HEXISTS, pending(), record).toInteger()).as("record once all settled").isZero();
    assertThat(env.redis(Command.HLEN, pending()).toLong()).isZero();
    assertThat(find(ids.get(2)).status()).isEqualTo(OrderView.CONFIRMED);
    assertThat(env.ledger(SHOES, "inflight")).isZero();
    assertThat(env.dbStock(SHOES)).isEqualTo(6);
  }

  @Test
  void aDeadLetteredJobOfARecordIsRejectedWhileTheOthersStayPendingUntilWritten() {
    // a product Redis has and the database does not (PoisonJobTest): its order can never be written
    env.redis(Command.HSET, env.keys().product("ghost"), "available", 5, "inflight", 0, "dbstock", 5, "dbver", 0);
    List<UUID> ids = placeInOneTurn(List.of(new Order(SHOES, 1, "ann"), new Order("ghost", 2, "bob"),
        new Order(HATS, 3, null)));
    String record = OrderIds.pendingRecord(ids.get(1));
    WorkQueue queue = worker("poisoned");
    Map<UUID, OrderJob> taken = take(queue, 3);
    OrderJob ghost = taken.get(ids.get(1));

    // what a worker does with it: the transaction finds no product, and the job is dead-lettered
    BatchResult alone = Waits.await(new OrderWriter(env.pool()).write(List.of(ghost)));
    assertThat(alone.unknownProduct()).containsExactly(ghost);
    assertThat(Waits.await(queue.deadLetter(ghost.json(), ghost, "UNKNOWN_PRODUCT"))).as("moved").isTrue();

    OrderView rejected = find(ghost.orderId());
    assertThat(rejected.status()).isEqualTo(OrderView.REJECTED);
    assertThat(rejected.reason()).isEqualTo("UNKNOWN_PRODUCT");
    assertThat(rejected.quantity()).isEqualTo(2);
    assertThat(env.ledger("ghost", "available")).as("ghost units released").isEqualTo(5);
    assertThat(find(ids.get(0)).status()).isEqualTo(OrderView.PENDING);
    assertThat(find(ids.get(2)).status()).isEqualTo(OrderView.PENDING);
    assertThat(lines(record)).as("the record without the dead-lettered job")
        .containsExactly(taken.get(ids.get(0)).json(), taken.get(ids.get(2)).json());

    assertThat(writeAndAck(queue, taken.get(ids.get(0)), taken.get(ids.get(2)))).isEqualTo(2);

    assertThat(find(ids.get(0)).status()).isEqualTo(OrderView.CONFIRMED);
    assertThat(find(ids.get(2)).status()).isEqualTo(OrderView.CONFIRMED);
    assertThat(find(ghost.orderId()).status()).as("still rejected").isEqualTo(OrderView.REJECTED);
    assertThat(env.redis(Command.HEXISTS, pending(), record).toInteger()).isZero();
  }

  @Test
  void anOrderOfAnEarlierReleaseIsFoundPendingThenWrittenByAWorkerAndItsRecordRemoved() {
    // as an earlier release left it: a version-7 id, its job queued, a field of its own named by its
    // id, its units taken from available into inflight as reserve.lua did
    UUID old = new UUID((System.currentTimeMillis() << 16) | 0x7000L | 0x800L,
        0x8000000000000000L | (ThreadLocalRandom.current().nextLong() >>> 2));
    OrderJob job = OrderJob.create(old, SHOES, 2, "old-timer", Instant.now());
    env.redis(Command.LPUSH, env.keys().queue(), job.json());
    env.redis(Command.HSET, pending(), old.toString(), job.json());
    env.redis(Command.HINCRBY, env.keys().product(SHOES), "available", -2);
    env.redis(Command.HINCRBY, env.keys().product(SHOES), "inflight", 2);
    // and an order of this release queued beside it, in a record of the new kind
    Placement placed = Waits.await(env.intake().place(SHOES, 1, null, null));
    assertThat(placed).isInstanceOf(Placement.Accepted.class);
    UUID recent = ((Placement.Accepted) placed).orderId();

    OrderView before = find(old);
    assertThat(before.status()).isEqualTo(OrderView.PENDING);
    assertThat(before.quantity()).isEqualTo(2);
    assertThat(before.customerId()).isEqualTo("old-timer");

    int port = env.start(Map.of()).httpPort();
    try (Http http = new Http(vertx, port)) {
      for (UUID id : List.of(old, recent)) {
        Waits.eventually(Duration.ofSeconds(60), "order " + id + " written",
            () -> OrderView.CONFIRMED.equals(http.get("/order/" + id).bodyAsJsonObject().getString("status")));
      }
    }
    // the order is written before its ack: the fields go a moment after
    Waits.eventually(Duration.ofSeconds(30), "the pending hash emptied",
        () -> env.redis(Command.HLEN, pending()).toLong() == 0);
    assertThat(env.dbStock(SHOES)).isEqualTo(7);
    Waits.eventually(Duration.ofSeconds(30), "nothing in flight", () -> env.ledger(SHOES, "inflight") == 0);
    assertThat(env.ledger(SHOES, "available")).isEqualTo(7);
  }

  @Test
  void aLateAckOfAJobNoLongerInTheWorkersListStillTakesItOutOfItsRecord() {
    List<UUID> ids = placeInOneTurn(List.of(new Order(SHOES, 1, null), new Order(SHOES, 2, null)));
    String record = OrderIds.pendingRecord(ids.get(0));
    WorkQueue slow = worker("slow");
    Map<UUID, OrderJob> taken = take(slow, 2);
    // a reaper gave the slow worker up and put its jobs back in the queue (reap.lua's move)
    env.redis(Command.LMOVE, env.keys().processing("slow"), env.keys().queue(), "RIGHT", "LEFT");
    env.redis(Command.LMOVE, env.keys().processing("slow"), env.keys().queue(), "RIGHT", "LEFT");

    // it wakes, commits the first and acks: LREM finds nothing, yet the order is written
    assertThat(writeAndAck(slow, taken.get(ids.get(0)))).as("jobs settled by the late ack").isZero();

    assertThat(find(ids.get(0)).status()).isEqualTo(OrderView.CONFIRMED);
    assertThat(lines(record)).as("the record: the unwritten job only").containsExactly(taken.get(ids.get(1)).json());
    assertThat(find(ids.get(1)).status()).isEqualTo(OrderView.PENDING);
    assertThat(env.ledger(SHOES, "inflight")).as("settled by whoever holds the jobs now, not here").isEqualTo(3);
  }

  @Test
  void aReservationWhoseOrderDrawsARecordInUseAddsItsJobAfterTheOnesThere() {
    // two ids of one batch stand for two processes' batches that drew the same record (same
    // millisecond, shard and batch number): ids are random, so only the script can be made to collide
    OrderIds.Batch batch = OrderIds.batch(0);
    OrderJob theirs = OrderJob.create(batch.next(), HATS, 4, "dee", Instant.now());
    OrderJob ours = OrderJob.create(batch.next(), SHOES, 2, null, Instant.now());
    String record = OrderIds.pendingRecord(ours.orderId());
    env.redis(Command.HSET, pending(), record, theirs.json());

    // reserve.lua's layout (its header): one order, shape '-': product key; quantity, job, record
    Response answer = Waits.await(LuaScript.load("reserve").run(env.redis(),
        List.of(env.keys().queue(), env.keys().synced(), pending(), env.keys().product(SHOES)),
        List.of(OrderService.RETENTION_SECONDS, "-", 2, ours.json(), record)));

    assertThat(answer.get(0).toInteger()).as("verdict").isEqualTo(1);
    assertThat(answer.get(1).toLong()).as("available").isEqualTo(8);
    assertThat(lines(record)).as("the record: theirs, then ours").containsExactly(theirs.json(), ours.json());
    assertThat(find(theirs.orderId()).status()).isEqualTo(OrderView.PENDING);
    assertThat(find(ours.orderId()).quantity()).isEqualTo(2);
    assertThat(find(ours.orderId()).status()).isEqualTo(OrderView.PENDING);

    // settling ours leaves theirs where it was
    WorkQueue queue = worker("collided");
    assertThat(writeAndAck(queue, take(queue, 1).get(ours.orderId()))).isEqualTo(1);

    assertThat(find(ours.orderId()).status()).isEqualTo(OrderView.CONFIRMED);
    assertThat(lines(record)).containsExactly(theirs.json());
    assertThat(find(theirs.orderId()).status()).isEqualTo(OrderView.PENDING);
  }

  /** Places the orders in one turn of one event loop: one reserve.lua call. All must be accepted. */
  private List<UUID> placeInOneTurn(List<Order> orders) {
    Promise<List<Placement>> placed = Promise.promise();
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    loop.runOnContext(turn -> {
      OrderService service = env.intake(); // built on the loop, as HttpVerticle.start builds it
      // each order as an HTTP request places it: on a duplicate of the loop's context, its own
      List<Future<Placement>> answers = new ArrayList<>();
      for (Order order : orders) {
        loop.duplicate().emit(request ->
            answers.add(service.place(order.product(), order.quantity(), order.customer(), null)));
      }
      Future.all(answers).map(all -> answers.stream().map(Future::result).toList()).onComplete(placed);
    });
    List<Placement> answers = Waits.await(placed.future());
    assertThat(answers).allMatch(answer -> answer instanceof Placement.Accepted, "accepted");
    return answers.stream().map(answer -> ((Placement.Accepted) answer).orderId()).toList();
  }

  /** A worker's queue, which only polls (no blocking connection), under its own id. */
  private WorkQueue worker(String id) {
    return new WorkQueue(env.redis(), null, env.keys(), new WorkerRegistry(env.redis(), env.keys(), id, 2_000, 5_000),
        5_000);
  }

  /** Takes {@code count} jobs into the worker's list, as its take does; by order id. */
  private static Map<UUID, OrderJob> take(WorkQueue queue, int count) {
    List<String> jobs = Waits.await(queue.poll(10));
    assertThat(jobs).as("jobs taken").hasSize(count);
    return jobs.stream().map(OrderJob::parse).collect(Collectors.toMap(OrderJob::orderId, Function.identity()));
  }

  /** Writes the jobs in one transaction and acks them, as a worker does; the number of jobs settled. */
  private int writeAndAck(WorkQueue queue, OrderJob... jobs) {
    BatchResult result = Waits.await(new OrderWriter(env.pool()).write(Arrays.asList(jobs)));
    return Waits.await(queue.ack(result)).get(0).toInteger();
  }

  private OrderView find(UUID id) {
    return Waits.await(env.intake().find(id)).orElseThrow(() -> new AssertionError("order " + id + " not found"));
  }

  private String pending() {
    return env.keys().pending();
  }

  /** The jobs of a pending record, one per line; empty when the field is absent. */
  private List<String> lines(String record) {
    Response text = env.redis(Command.HGET, pending(), record);
    return text == null ? List.of() : List.of(text.toString().split("\n"));
  }
}
