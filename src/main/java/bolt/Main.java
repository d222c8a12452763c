package bolt;

import bolt.config.BoltConfig;
import bolt.config.ConfigException;
import bolt.console.ConsoleVerticle;
import bolt.fulfillment.FulfillmentVerticle;
import bolt.http.EdgeCounters;
import bolt.order.SoldOutMemory;
import bolt.order.UnitsBackVerticle;
import bolt.http.HttpVerticle;
import bolt.metrics.BoltMetrics;
import bolt.metrics.MetricsVerticle;
import bolt.metrics.VertxWithMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code java -jar bolt.jar [--conf FILE]}: reads the configuration, deploys the verticles of the
 * configured roles, and on SIGTERM or SIGINT undeploys them (workers finish the batch in hand) and
 * exits 0. An invalid configuration exits 2 with one line naming the setting.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    BoltConfig config;
    try {
      config = BoltConfig.load(confPath(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("bolt: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    BoltMetrics metrics = metrics(config);
    Vertx vertx = VertxWithMetrics.create(metrics);
    Started started = start(vertx, config, metrics);
    started.deployed().onFailure(failure -> {
      LOG.error("Start-up failed: {}", failure.getMessage());
      vertx.close().onComplete(closed -> System.exit(1));
    });
    // the database does not fit the configuration (a product in a shard >= redis.shards)
    started.refused().onFailure(failure -> {
      System.err.println("bolt: invalid configuration: " + failure.getMessage());
      vertx.close().onComplete(closed -> System.exit(2));
    });
    AtomicBoolean closing = new AtomicBoolean();
    Runnable shutdown = () -> {
      if (closing.compareAndSet(false, true)) {
        LOG.info("Shutting down: finishing the work in hand");
        vertx.close().onComplete(closed -> {
          LOG.info("Stopped");
          System.exit(0);
        });
      }
    };
    Signal.handle(new Signal("TERM"), signal -> shutdown.run());
    Signal.handle(new Signal("INT"), signal -> shutdown.run());
  }

  /**
   * Deploys what the roles ask for. The start-up sync runs beside them, retrying until the backends
   * answer; {@code synced} tells when it is done.
   */
  public record Started(Future<Void> deployed, Future<Void> synced, EdgeCounters edge,
                        BoltMetrics metrics, Future<Void> refused) {
  }

  /**
   * Deploys into a Vertx made elsewhere (the tests'): Bolt's own meters are there, Vert.x's are only
   * when the Vertx was made by {@link VertxWithMetrics} with the same meters.
   */
  public static Started start(Vertx vertx, BoltConfig config) {
    return start(vertx, config, metrics(config));
  }

  public static Started start(Vertx vertx, BoltConfig config, BoltMetrics metrics) {
    // Bolt serves no WebSockets. With them off, Vert.x hands a request of an HTTP version it does not
    // speak to Bolt's handler (a JSON 501) instead of answering it with an empty body itself. Read
    // once, when the first HTTP server of the JVM is created.
    System.setProperty("vertx.disableWebsockets", "true");
    BootstrapVerticle bootstrap = new BootstrapVerticle(config);
    EdgeCounters edge = new EdgeCounters();
    edge.bindTo(metrics.registry());
    SoldOutMemory soldOut = new SoldOutMemory(config.soldOutMemoryMs());
    List<Future<String>> deployments = new ArrayList<>();
    deployments.add(vertx.deployVerticle(bootstrap));
    if (config.metricsEnabled()) {
      deployments.add(vertx.deployVerticle(new MetricsVerticle(config, metrics)));
    }
    if (config.runsHttp()) {
      if (config.soldOutMemoryMs() > 0) {
        deployments.add(vertx.deployVerticle(new UnitsBackVerticle(config, soldOut)));
      }
      deployments.add(vertx.deployVerticle(new ConsoleVerticle(config, metrics)));
      deployments.add(vertx.deployVerticle(() -> new HttpVerticle(config, bootstrap.synced(), edge, soldOut, metrics),
          new DeploymentOptions().setInstances(config.httpInstances())));
    }
    if (config.runsFulfillment()) {
      deployments.add(vertx.deployVerticle(() -> new FulfillmentVerticle(config, metrics),
          new DeploymentOptions().setInstances(config.fulfillmentInstances())));
    }
    Future<Void> deployed = Future.all(deployments).onSuccess(all -> LOG.info(
        "Bolt started: roles {}, HTTP port {}, metrics port {}, {} workers", config.roles(),
        config.runsHttp() ? config.httpPort() : "-", config.metricsEnabled() ? config.metricsPort() : "off",
        config.runsFulfillment() ? config.fulfillmentInstances() : 0)).mapEmpty();
    return new Started(deployed, bootstrap.synced(), edge, metrics, bootstrap.refused());
  }

  private static BoltMetrics metrics(BoltConfig config) {
    return config.metricsEnabled() ? BoltMetrics.prometheus() : BoltMetrics.off();
  }

  private static Path confPath(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--conf")) {
        if (i + 1 == args.length) {
          throw new ConfigException("--conf", "needs a file name");
        }
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--conf=")) {
        return Path.of(args[i].substring("--conf=".length()));
      }
    }
    return Path.of("conf/config.json");
  }
}
