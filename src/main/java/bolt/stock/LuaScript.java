package bolt.stock;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from the classpath, run with EVALSHA. Its SHA-1 is computed locally, so there is no
 * start-up round trip; after a Redis restart (NOSCRIPT) it runs once as EVAL, which caches it again.
 */
public final class LuaScript {

  private final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /** Loads {@code lua/<name>.lua}; done once per script, at class initialisation of its user. */
  public static LuaScript load(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public Future<Response> run(Redis redis, List<String> keys, List<?> args) {
    return redis.send(request(keys, args)).recover(failure -> {
      if (failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")) {
        // EVAL with the source, not SCRIPT LOAD: it goes where the keys are (a SCRIPT LOAD, having no
        // key, would reach any node of a Redis Cluster), runs, and leaves the script cached there
        return redis.send(eval(keys, args));
      }
      return Future.failedFuture(failure);
    });
  }

  /**
   * The script, then {@code after} on the same connection (the same node), in one pipeline; replies
   * in that order. After a Redis restart (NOSCRIPT) the pipeline is sent again with the script as EVAL.
   */
  public Future<List<Response>> runThen(Redis redis, List<String> keys, List<?> args, Request after) {
    return redis.batch(List.of(request(keys, args), after)).recover(failure -> {
      if (failure.getMessage() != null && failure.getMessage().contains("NOSCRIPT")) {
        return redis.batch(List.of(eval(keys, args), after));
      }
      return Future.failedFuture(failure);
    });
  }

  /**
   * The script as one EVAL with its whole source, for a pipeline that cannot stop to load it on
   * NOSCRIPT; Redis caches the compiled script by its digest, so only the bytes are sent again.
   */
  public Request eval(List<String> keys, List<?> args) {
    return withArguments(Request.cmd(Command.EVAL).arg(source), keys, args);
  }

  private Request request(List<String> keys, List<?> args) {
    return withArguments(Request.cmd(Command.EVALSHA).arg(sha), keys, args);
  }

  private static Request withArguments(Request request, List<String> keys, List<?> args) {
    request.arg(keys.size());
    for (String key : keys) {
      request.arg(key);
    }
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return request;
  }

  private static String sha1(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
