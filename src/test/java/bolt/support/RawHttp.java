package bolt.support;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection over a plain socket, for requests no well-behaved client would send (bad
 * framing, missing Host, raw bytes). Blocking: use it from test threads.
 */
public final class RawHttp implements AutoCloseable {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** One response: status, headers (names in lower case) and body. */
  public record Reply(int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(text());
    }
  }

  public RawHttp(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code request} on a new connection and reads the response. */
  public static Reply exchange(int port, String request) {
    try (RawHttp http = new RawHttp(port)) {
      return http.send(request).read();
    }
  }

  /** The text as ISO-8859-1 bytes, so that "\u00c0" sends the byte C0. */
  public RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a response that has a body as its Content-Length says (none without one). */
  public Reply read() {
    return read(false);
  }

  /** Reads the response to a HEAD request: a head only, whatever Content-Length says. */
  public Reply readHead() {
    return read(true);
  }

  private Reply read(boolean headOnly) {
    try {
      String[] lines = readHeadLines();
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new TreeMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      String length = headers.get("content-length");
      byte[] body = headOnly || length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
      return new Reply(status, headers, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String[] readHeadLines() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes of a response head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1).trim().split("\r\n");
  }

  /** True when the server closes the connection (or resets it) within {@code within}, sending nothing more. */
  public boolean closedByServer(Duration within) {
    try {
      socket.setSoTimeout((int) Math.max(1, within.toMillis()));
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      } catch (SocketException e) {
        // closed: nothing to restore
      }
    }
  }

  /** Closes with a TCP reset instead of a FIN, as a client that crashed or gave up abruptly does. */
  public void reset() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
