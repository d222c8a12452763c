package bolt.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy owned by a test, to make a backend unreachable without stopping the shared server:
 * {@link #cut()} drops every live connection and hangs up on new ones, {@link #restore()} lets them
 * through again. Clients see exactly what a network partition or a crashed server shows them:
 * connections closed under them and failed reconnects.
 */
public final class TcpProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> live = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  private TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000).setTcpNoDelay(true));
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  /** Listens on a free port of 127.0.0.1 and forwards every connection to {@code targetHost:targetPort}. */
  public static TcpProxy start(Vertx vertx, String targetHost, int targetPort) {
    TcpProxy proxy = new TcpProxy(vertx, targetHost, targetPort);
    TestEnv.await(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Closes every connection through the proxy and hangs up on new ones until {@link #restore()}. */
  public void cut() {
    cut = true;
    live.forEach(NetSocket::close);
  }

  public void restore() {
    cut = false;
  }

  /** Connections currently piped (two sockets each). */
  public int liveSockets() {
    return live.size();
  }

  private void accept(NetSocket inbound) {
    if (cut) {
      inbound.close();
      return;
    }
    inbound.pause();
    live.add(inbound);
    inbound.closeHandler(closed -> live.remove(inbound));
    client.connect(targetPort, targetHost).onComplete(connected -> {
      if (connected.failed()) {
        inbound.close();
        return;
      }
      NetSocket outbound = connected.result();
      live.add(outbound);
      inbound.closeHandler(closed -> {
        live.remove(inbound);
        outbound.close();
      });
      outbound.closeHandler(closed -> {
        live.remove(outbound);
        inbound.close();
      });
      if (cut) {
        // cut while this connection was being set up
        outbound.close();
        return;
      }
      inbound.pipeTo(outbound);
      outbound.pipeTo(inbound);
    });
  }

  @Override
  public void close() {
    cut();
    TestEnv.await(server.close());
    TestEnv.await(client.close());
  }
}
