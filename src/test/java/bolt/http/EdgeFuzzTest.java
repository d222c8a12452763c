package bolt.http;

import bolt.support.Http;
import bolt.support.Invariants;
import bolt.support.LogCapture;
import bolt.support.RawHttp;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.core.json.DecodeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 random mutations of valid orders (body bytes, JSON, header values, framing, method, path)
 * sent to a running Bolt: every one is answered, none with a 5xx, every error is a JSON body, the log
 * gains no ERROR or stack trace, and once the workers have drained, stock and Redis agree and every
 * order answered 202 is stored exactly once. The seed is printed; {@code -Dbolt.fuzz.seed=N} replays
 * a run, {@code -Dbolt.fuzz.requests=N} changes its size.
 */
class EdgeFuzzTest {

  private static final long SEED = Long.getLong("bolt.fuzz.seed", System.nanoTime());
  private static final int REQUESTS = Integer.getInteger("bolt.fuzz.requests", 10_000);
  private static final int CLIENTS = 8;
  private static final Map<String, Integer> STOCK = Map.of("p1", 20_000, "p2", 40);

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static int port;
  private static LogCapture log;

  @BeforeAll
  static void start() {
    env = world.env();
    STOCK.forEach(env::createProduct);
    port = env.start(Map.of("BOLT_HTTP_BODY_TIMEOUT_MS", "500", "BOLT_HTTP_HEADER_TIMEOUT_MS", "5000")).httpPort();
    log = LogCapture.attach();
  }

  @AfterAll
  static void stop() {
    log.close();
  }

  /** What one mutant got: its status (0: no answer) and, for a 202, the order id. */
  private record Outcome(int status, String orderId, String problem) {
  }

  @Test
  void randomMutationsOfOrdersGetA4xxOrA202AndLeaveTheStockExact() throws Exception {
    System.out.println("EdgeFuzzTest seed " + SEED + " (replay with -Dbolt.fuzz.seed=" + SEED + ")");
    OrderMutator mutator = new OrderMutator(new Random(SEED), List.copyOf(new TreeSet<>(STOCK.keySet())));
    List<OrderMutator.Mutant> mutants = new ArrayList<>(REQUESTS);
    for (int i = 0; i < REQUESTS; i++) {
      mutants.add(mutator.next(i));
    }

    Map<Integer, Outcome> outcomes = sendAll(mutants);

    List<String> wrong = new ArrayList<>();
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    outcomes.forEach((i, outcome) -> {
      if (outcome.problem() != null) {
        wrong.add("#" + i + " [" + mutants.get(i).description() + "]: " + outcome.problem());
      } else if (outcome.orderId() != null) {
        accepted.add(outcome.orderId());
      }
    });
    assertThat(wrong.size()).as("seed %d: mutants answered wrongly, first 20: %s", SEED,
        wrong.subList(0, Math.min(20, wrong.size()))).isZero();
    assertThat(accepted).as("seed %d: some mutants were still valid orders", SEED).isNotEmpty();
    assertThat(log.errorsAndStackTraces()).as("seed %d: ERROR lines and stack traces", SEED).isEmpty();

    try (Http http = new Http(world.vertx(), port)) {
      assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }
    Invariants.awaitDrained(env, STOCK.keySet(), Duration.ofSeconds(60));
    Invariants.assertConsistent(env, STOCK, accepted);
  }

  /** Sends the mutants from {@link #CLIENTS} threads at once, each taking every CLIENTS-th one. */
  private static Map<Integer, Outcome> sendAll(List<OrderMutator.Mutant> mutants) throws Exception {
    Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int first = c;
        done.add(clients.submit(() -> {
          Client client = new Client();
          for (int i = first; i < mutants.size(); i += CLIENTS) {
            outcomes.put(i, client.send(mutants.get(i)));
          }
          client.close();
        }));
      }
      for (Future<?> client : done) {
        client.get(5, TimeUnit.MINUTES);
      }
    } finally {
      clients.shutdownNow();
    }
    return outcomes;
  }

  /**
   * One client's connection, kept for the next mutant when the last one's framing was intact and the
   * server did not say it closes; a new one otherwise.
   */
  private static final class Client {
    private RawHttp connection;

    Outcome send(OrderMutator.Mutant mutant) {
      if (connection == null) {
        connection = new RawHttp(port);
      }
      try {
        connection.send(mutant.bytes());
        RawHttp.Reply reply = read(mutant);
        while (reply.status() == 100) {
          reply = read(mutant);
        }
        if (!mutant.framed() || "close".equalsIgnoreCase(reply.header("Connection"))) {
          close();
        }
        return judge(reply, mutant.head());
      } catch (UncheckedIOException e) {
        close();
        return new Outcome(0, null, "no answer: " + e.getCause());
      }
    }

    private RawHttp.Reply read(OrderMutator.Mutant mutant) {
      return mutant.head() ? connection.readHead() : connection.read();
    }

    void close() {
      if (connection != null) {
        connection.close();
        connection = null;
      }
    }
  }

  private static Outcome judge(RawHttp.Reply reply, boolean head) {
    int status = reply.status();
    if (status >= 500 || (status != 202 && status < 400)) {
      return new Outcome(status, null, "status " + status + " " + reply.text());
    }
    if (head) {
      return new Outcome(status, null, null);
    }
    if (!"application/json".equals(reply.header("Content-Type"))) {
      return new Outcome(status, null, "Content-Type " + reply.header("Content-Type"));
    }
    try {
      if (status == 202) {
        return new Outcome(status, reply.json().getString("orderId"), null);
      }
      String error = reply.json().getString("error");
      String message = reply.json().getString("message");
      return error == null || message == null || message.isBlank()
          ? new Outcome(status, null, "no error code or message: " + reply.text())
          : new Outcome(status, null, null);
    } catch (DecodeException | ClassCastException e) {
      return new Outcome(status, null, "not a JSON error body: " + reply.text());
    }
  }
}
