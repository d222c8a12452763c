package bolt.console;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /admin/stream (behind the admin token): the console's server-sent events, {@code history}
 * once, then a {@code snapshot} a second from {@link ConsoleVerticle}. The page reads it with
 * fetch, so the token travels in the Authorization header, never in a URL. A viewer that does not
 * keep up misses snapshots instead of piling them up in memory; the stream ends when the client
 * goes away or the server shuts down. One instance per HTTP event loop.
 */
public final class ConsoleStream implements Handler<RoutingContext> {

  private final EventBus eventBus;

  public ConsoleStream(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  /** One server-sent event: its name and its JSON data on one line. */
  static String event(String name, JsonObject data) {
    return "event: " + name + "\ndata: " + data.encode() + "\n\n";
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response()
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        // a proxy in front (nginx) must pass each event on as it comes
        .putHeader("X-Accel-Buffering", "no")
        .setChunked(true);
    if (ctx.request().method() == HttpMethod.HEAD) {
      response.end();
      return;
    }
    Viewer viewer = new Viewer(response);
    MessageConsumer<String> snapshots = eventBus.localConsumer(ConsoleVerticle.SNAPSHOTS,
        snapshot -> viewer.snapshot(snapshot.body()));
    Runnable leave = new Runnable() {
      private boolean left;

      @Override
      public void run() {
        if (!left) {
          left = true;
          snapshots.unregister();
          eventBus.send(ConsoleVerticle.LEFT, null);
        }
      }
    };
    response.closeHandler(closed -> leave.run());
    // a graceful stop waits for open requests: a stream never ends by itself, so end it
    ctx.request().connection().shutdownHandler(shutdown -> {
      leave.run();
      if (!response.ended()) {
        response.end();
      }
    });
    eventBus.<String>request(ConsoleVerticle.JOINED, null).onSuccess(history -> viewer.history(history.body()))
        .onFailure(ctx::fail);
  }

  /**
   * One viewer's stream: the history first, always. The snapshot consumer is registered before the
   * history is asked for, so that the snapshot made for a new viewer is not missed; one that
   * arrives before the history is held (the newest only) and written right after it.
   */
  private static final class Viewer {

    private final HttpServerResponse response;
    private boolean historyWritten;
    private String held;

    Viewer(HttpServerResponse response) {
      this.response = response;
    }

    void history(String events) {
      write(events);
      historyWritten = true;
      if (held != null) {
        snapshot(held);
        held = null;
      }
    }

    void snapshot(String event) {
      if (!historyWritten) {
        held = event;
      } else if (!response.writeQueueFull()) {
        write(event);
      }
    }

    private void write(String events) {
      if (!response.ended() && !response.closed()) {
        response.write(events);
      }
    }
  }
}
