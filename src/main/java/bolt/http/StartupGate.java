package bolt.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers 503 STARTING (with Retry-After) until the process's start-up work (schema, Redis sync) is
 * done: a request served before that could write to a schema that is not there yet, or be told a
 * product does not exist. One instance per event loop, so the flag needs no synchronisation.
 */
final class StartupGate implements Handler<RoutingContext> {

  private final Future<Void> ready;
  private boolean open;

  StartupGate(Future<Void> ready) {
    this.ready = ready;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!open && !(open = ready.isComplete())) {
      throw new ApiError(503, "STARTING", "Bolt is starting: its schema and Redis sync are not done yet");
    }
    ctx.next();
  }
}
