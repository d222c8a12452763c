package bolt.cluster;

import bolt.support.TestEnv;
import bolt.support.Waits;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The test cluster seen from outside: which master serves a key, and scripts/cluster.sh's kill and start. */
final class ClusterTopology {

  private ClusterTopology() {
  }

  /**
   * The port of the master that serves {@code key}'s slot, as the node on {@code askPort} sees it,
   * or -1 when no node does (or that node does not answer).
   */
  static int masterPort(Vertx vertx, int askPort, String key) {
    Redis node = Redis.createClient(vertx, "redis://127.0.0.1:" + askPort);
    try {
      long slot = Waits.await(node.send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key))).toLong();
      for (Response range : Waits.await(node.send(Request.cmd(Command.CLUSTER).arg("SLOTS")))) {
        if (range.get(0).toLong() <= slot && slot <= range.get(1).toLong()) {
          return range.get(2).get(1).toInteger();
        }
      }
      return -1;
    } catch (RuntimeException | AssertionError down) {
      return -1;
    } finally {
      node.close();
    }
  }

  /** scripts/cluster.sh with its arguments, to the end (a minute at most). */
  static void script(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = Path.of("scripts/cluster.sh").toAbsolutePath().toString();
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      Process process = new ProcessBuilder(command).inheritIO().start();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError("scripts/cluster.sh " + String.join(" ", args) + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
