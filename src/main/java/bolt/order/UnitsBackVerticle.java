package bolt.order;

import bolt.config.BoltConfig;
import bolt.infra.Clients;
import bolt.stock.Keys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per API process: listens on the units-back channel and tells the process's
 * {@link SoldOutMemory}; reconnects by itself, and while it is not listening the memory is unused.
 */
public class UnitsBackVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(UnitsBackVerticle.class);
  private static final long RETRY_MS = 250;

  private final BoltConfig config;
  private final SoldOutMemory memory;
  private Redis client;
  private RedisConnection connection;
  private boolean stopping;
  private boolean retrying;
  /** In cluster mode each attempt subscribes on the next seed node. */
  private int attempts;

  public UnitsBackVerticle(BoltConfig config, SoldOutMemory memory) {
    this.config = config;
    this.memory = memory;
  }

  @Override
  public Future<?> start() {
    client = Redis.createClient(vertx, Clients.subscriberOptions(config, attempts));
    listen();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    memory.listening(false);
    return client.close();
  }

  private void listen() {
    String channel = new Keys(config.keyPrefix()).unitsBack();
    client.connect().compose(conn -> {
      connection = conn;
      conn.handler(this::message);
      conn.exceptionHandler(failure -> lost());
      conn.endHandler(end -> lost());
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
    }).onFailure(failure -> lost());
  }

  /**
   * Pub/sub messages arrive as [kind, channel, payload] (RESP2 and RESP3 alike): the subscription's
   * confirmation, from which on no message can be missed, then a product id per message.
   */
  private void message(Response message) {
    if (message.size() != 3) {
      return;
    }
    String kind = message.get(0).toString();
    if ("subscribe".equals(kind)) {
      memory.listening(true);
    } else if ("message".equals(kind)) {
      memory.unitsBack(message.get(2).toString());
    }
  }

  private void lost() {
    memory.listening(false);
    RedisConnection lostConnection = connection;
    connection = null;
    if (lostConnection != null) {
      lostConnection.close();
    }
    if (!stopping && !retrying) {
      retrying = true;
      LOG.debug("Units-back subscription lost; sold-out memory off until it is back");
      vertx.setTimer(RETRY_MS, id -> {
        retrying = false;
        if (!stopping) {
          if (config.redis().cluster()) {
            client.close();
            client = Redis.createClient(vertx, Clients.subscriberOptions(config, ++attempts));
          }
          listen();
        }
      });
    }
  }
}
