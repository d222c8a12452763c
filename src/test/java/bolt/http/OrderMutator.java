package bolt.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * Random mutations of a valid POST /order request, for fuzzing: the body's bytes and JSON, and the
 * values of its headers. The request line and the end of the head are left intact, so that every
 * mutant is a complete request the server must answer (an incomplete head is the header timeout's
 * business, tested elsewhere); framing headers are mutated too, so a body may be cut short, run long,
 * or be chunked, badly or well. All randomness comes from the Random given: a seed reproduces a run.
 */
final class OrderMutator {

  /**
   * A request to send; {@code head} is true when its answer has no body (a HEAD request), and
   * {@code framed} when its framing is intact (the body is exactly as long as the head says), so
   * that the connection may carry another request after it.
   */
  record Mutant(byte[] bytes, boolean head, boolean framed, String description) {
  }

  private static final String[] CONTENT_TYPES = {
      "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/json;x=\"y\"",
      "application/jsonp", "application/json-patch+json", "text/plain", "", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x", "application/json, text/plain", "\u00ff\u00fe"};
  private static final String[] VALUES = {
      "-1", "0", "1.0", "1e3", "1e400", "\"1\"", "null", "true", "[]", "{}", "2147483648", "99999999999999999999",
      "\"\"", "\"p1\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud83d\\uded2\"", "\"x\"", "\"{p1}\"", "\"p 1\"",
      "\"" + "y".repeat(70) + "\"", "\"\u00c3\u00a9\"", "\"\u00c0\u00af\"", "\"\u00ed\u00a0\u0080\"", "\"\u00ff\""};
  private static final String[] FIELDS = {"productId", "quantity", "customerId"};
  private static final String[] PATHS = {"/order", "/order/", "/ORDER", "/order?x=%ZZ", "//order", "/order%00", "/order/x"};
  private static final String[] METHODS = {"POST", "POST", "POST", "PUT", "GET", "HEAD", "DELETE", "PATCH"};
  private static final byte[] PALETTE = "{}[]\",:\\/*019-+e.ntfu \t\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private final Random random;
  private final List<String> products;

  OrderMutator(Random random, List<String> products) {
    this.random = random;
    this.products = products;
  }

  Mutant next(int sequence) {
    String product = products.get(random.nextInt(products.size()));
    Request request = new Request();
    request.body = "{\"productId\":\"" + product + "\",\"quantity\":" + (1 + random.nextInt(3))
        + ",\"customerId\":\"fuzz-" + sequence + "\"}";
    request.headers.add("Content-Type: application/json");
    if (random.nextInt(5) == 0) {
      request.headers.add("Idempotency-Key: k" + random.nextInt(200));
    }
    List<String> applied = new ArrayList<>();
    int mutations = random.nextInt(4); // a quarter stay valid orders
    for (int i = 0; i < mutations; i++) {
      applied.add(mutate(request));
    }
    return new Mutant(request.bytes(), request.method.equals("HEAD"), request.contentLength == null && !request.badChunk,
        String.join(", ", applied));
  }

  private String mutate(Request request) {
    List<BiConsumer<Request, StringBuilder>> all = List.of(
        this::flipByte, this::deleteBytes, this::insertBytes, this::truncate, this::replaceValue, this::addDuplicateKey,
        this::addComment, this::nest, this::contentType, this::contentLength, this::chunked, this::idempotencyKey,
        this::expect, this::method, this::path, this::extraHeader);
    StringBuilder what = new StringBuilder();
    all.get(random.nextInt(all.size())).accept(request, what);
    return what.toString();
  }

  private void flipByte(Request r, StringBuilder what) {
    if (!r.body.isEmpty()) {
      int at = random.nextInt(r.body.length());
      r.body = r.body.substring(0, at) + (char) random.nextInt(256) + r.body.substring(at + 1);
      what.append("flip@").append(at);
    }
  }

  private void deleteBytes(Request r, StringBuilder what) {
    if (!r.body.isEmpty()) {
      int from = random.nextInt(r.body.length());
      int to = Math.min(r.body.length(), from + 1 + random.nextInt(8));
      r.body = r.body.substring(0, from) + r.body.substring(to);
      what.append("delete@").append(from).append('-').append(to);
    }
  }

  private void insertBytes(Request r, StringBuilder what) {
    int at = r.body.isEmpty() ? 0 : random.nextInt(r.body.length());
    StringBuilder inserted = new StringBuilder();
    for (int i = 1 + random.nextInt(4); i > 0; i--) {
      inserted.append(random.nextBoolean() ? (char) (PALETTE[random.nextInt(PALETTE.length)] & 0xff)
          : (char) random.nextInt(256));
    }
    r.body = r.body.substring(0, at) + inserted + r.body.substring(at);
    what.append("insert@").append(at);
  }

  private void truncate(Request r, StringBuilder what) {
    r.body = r.body.substring(0, random.nextInt(r.body.length() + 1));
    what.append("truncate");
  }

  private void replaceValue(Request r, StringBuilder what) {
    String field = FIELDS[random.nextInt(FIELDS.length)];
    String value = VALUES[random.nextInt(VALUES.length)];
    r.body = r.body.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "\"" + field + "\":" + value.replace("\\", "\\\\"));
    what.append(field).append('=').append(value);
  }

  private void addDuplicateKey(Request r, StringBuilder what) {
    r.body = r.body.replaceFirst("\\{", "{\"quantity\":" + (1 + random.nextInt(5)) + ",");
    what.append("duplicate key");
  }

  private void addComment(Request r, StringBuilder what) {
    r.body = r.body.replaceFirst(",", random.nextBoolean() ? ",/* c */" : ",// c\n");
    what.append("comment");
  }

  private void nest(Request r, StringBuilder what) {
    int depth = 1 + random.nextInt(3_000);
    r.body = "[".repeat(depth) + r.body + "]".repeat(depth);
    what.append("nested ").append(depth);
  }

  private void contentType(Request r, StringBuilder what) {
    r.headers.removeIf(header -> header.startsWith("Content-Type:"));
    if (random.nextInt(6) > 0) {
      String type = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
      r.headers.add("Content-Type: " + type);
      what.append("type ").append(type);
    } else {
      what.append("no type");
    }
  }

  private void contentLength(Request r, StringBuilder what) {
    int choice = random.nextInt(20);
    if (choice == 0) {
      r.contentLength = String.valueOf(r.body.length() + 1 + random.nextInt(10)); // a body that never ends: 408
    } else if (choice < 8) {
      r.contentLength = String.valueOf(random.nextInt(r.body.length() + 1)); // the rest is a second "request"
    } else {
      r.contentLength = new String[] {"-1", "abc", "", "1e2", "0x10", "99999999999999999999", "5, 5", " 7"}[choice % 8];
    }
    what.append("Content-Length ").append(r.contentLength);
  }

  private void chunked(Request r, StringBuilder what) {
    r.chunked = true;
    r.badChunk = random.nextInt(3) == 0;
    what.append(r.badChunk ? "bad chunks" : "chunked");
  }

  private void idempotencyKey(Request r, StringBuilder what) {
    String key = new String[] {"", "k".repeat(129), "k\u00ff", "same"}[random.nextInt(4)];
    r.headers.add("Idempotency-Key: " + key);
    what.append("key ").append(key.length());
  }

  private void expect(Request r, StringBuilder what) {
    String value = random.nextBoolean() ? "100-continue" : "foo";
    r.headers.add("Expect: " + value);
    what.append("Expect ").append(value);
  }

  private void method(Request r, StringBuilder what) {
    r.method = METHODS[random.nextInt(METHODS.length)];
    what.append("method ").append(r.method);
  }

  private void path(Request r, StringBuilder what) {
    r.path = PATHS[random.nextInt(PATHS.length)];
    what.append("path ").append(r.path);
  }

  private void extraHeader(Request r, StringBuilder what) {
    String header = new String[] {"X-Junk: \u00ff\u0001", "Host: second", "bad header", "X: " + "h".repeat(9_000),
        "Content-Type: text/plain", "Connection: close", " folded"}[random.nextInt(7)];
    r.headers.add(header);
    what.append("header ").append(header, 0, Math.min(20, header.length()));
  }

  /** A request being mutated; the body's chars are its bytes (ISO-8859-1). */
  private static final class Request {
    String method = "POST";
    String path = "/order";
    final List<String> headers = new ArrayList<>();
    String body;
    String contentLength;
    boolean chunked;
    boolean badChunk;

    byte[] bytes() {
      StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: bolt\r\n");
      headers.forEach(header -> head.append(header).append("\r\n"));
      String framed;
      if (chunked) {
        head.append("Transfer-Encoding: chunked\r\n");
        String size = badChunk ? "Z" + Integer.toHexString(body.length()) : Integer.toHexString(body.length());
        framed = (body.isEmpty() ? "" : size + "\r\n" + body + "\r\n") + "0\r\n\r\n";
      } else {
        head.append("Content-Length: ").append(contentLength == null ? String.valueOf(body.length()) : contentLength)
            .append("\r\n");
        framed = body;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      out.writeBytes(framed.getBytes(StandardCharsets.ISO_8859_1));
      return out.toByteArray();
    }
  }
}
