package bolt.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in front of a real backend, so that a test can take the backend away from one Bolt
 * without touching the shared server: {@link #down()} closes the port and every connection
 * (clients see "connection refused"), {@link #blackhole()} accepts connections but never answers
 * (clients see a backend that hangs), {@link #forward()} restores normal service on the same port.
 */
public final class TcpProxy implements AutoCloseable {

  private enum Mode { FORWARD, BLACKHOLE }

  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.FORWARD;
  private NetServer server;

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.port = TestEnv.freePort();
    this.client = vertx.createNetClient();
    listen();
  }

  public int port() {
    return port;
  }

  public void forward() {
    mode = Mode.FORWARD;
    dropConnections();
    listen();
  }

  public void blackhole() {
    mode = Mode.BLACKHOLE;
    dropConnections();
    listen();
  }

  /** Nothing listens on the port any more, and open connections are cut. */
  public void down() {
    if (server != null) {
      Waits.await(server.close());
      server = null;
    }
    dropConnections();
  }

  @Override
  public void close() {
    down();
    Waits.await(client.close());
  }

  private void listen() {
    if (server != null) {
      return;
    }
    server = vertx.createNetServer().connectHandler(this::accept);
    Waits.await(server.listen(port, "127.0.0.1"));
  }

  private void accept(NetSocket inbound) {
    sockets.add(inbound);
    inbound.closeHandler(closed -> sockets.remove(inbound));
    if (mode == Mode.BLACKHOLE) {
      inbound.handler(ignored -> { });
      return;
    }
    inbound.pause();
    client.connect(targetPort, targetHost).onComplete(connected -> {
      if (connected.failed()) {
        inbound.close();
        return;
      }
      NetSocket outbound = connected.result();
      sockets.add(outbound);
      inbound.closeHandler(closed -> {
        sockets.remove(inbound);
        outbound.close();
      });
      outbound.closeHandler(closed -> {
        sockets.remove(outbound);
        inbound.close();
      });
      inbound.pipeTo(outbound);
      outbound.pipeTo(inbound);
      inbound.resume();
    });
  }

  private void dropConnections() {
    for (NetSocket socket : Set.copyOf(sockets)) {
      socket.close();
    }
    sockets.clear();
  }
}
