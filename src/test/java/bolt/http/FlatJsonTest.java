package bolt.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path of {@link StrictJson#parse} gives every body what the Jackson path alone gives it: the
 * same value, down to Integer or Long and the order of the keys, or the same message. JsonObject's own
 * equals calls 1 and 1L equal, so values are compared by a rendering that names every type.
 */
class FlatJsonTest {

  private static final String ORDER =
      "{\"productId\":\"flash\",\"quantity\":1,\"customerId\":\"c-1\",\"idempotencyKey\":\"k\"}";
  private static final String LONG_KEY = "k".repeat(70);

  /** Bodies the fast path must read itself: if it gave them to Jackson, it would be saving nothing. */
  private static final List<String> FLAT = List.of(
      ORDER, "{}", " \t\r\n{ \t\r\n} \t\r\n", "{ \"a\" : 1 , \"b\" :\t\"x\"\n,\r\"c\":true,\"d\":false,\"e\":null }",
      "{\"a\":-0}", "{\"a\":0}", "{\"a\":2147483647}", "{\"a\":2147483648}", "{\"a\":-2147483648}",
      "{\"a\":-2147483649}", "{\"a\":999999999999999999}", "{\"a\":-999999999999999999}", "{\"\":\"\"}",
      "{\"a\":\" !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~\"}", "{\"" + LONG_KEY + "\":1}", members(16));

  private static final List<String> EDGES = List.of(
      "", " ", "1", "-1", "[]", "[1,2]", "\"s\"", "true", "null", "{", "}", "{}}", "{}{}", "{} x", "{}\u0000",
      "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\":1,}", "{,}", "{\"a\":1,,\"b\":2}", "{\"a\":1}x",
      "{\"a\":1}//", "/*c*/{}", "{'a':1}", "{a:1}", "{\"a\":\"b}", "{\"a\":\"b", "{\"a", "{\"a\":\"\t\"}",
      "{\"a\":\"\u007f\"}", "{\"a\u0000\":1}", "{\"a\":\"\\u0041\"}", "{\"\\u0061\":1,\"a\":2}", "{\"a\":\"\\\"\"}",
      "{\"a\":\"\\ud800\"}", "{\"a\":\"\u00e9\"}", "\ufeff{}", "\u000c{}", "{\u000b}", "{\"a\":1,\"a\":2}",
      "{\"\":1,\"\":2}", "{\"" + LONG_KEY + "\":1,\"" + LONG_KEY + "\":2}", "{\"a\":tru}", "{\"a\":truex}",
      "{\"a\":nul}", "{\"a\":True}", "{\"a\":falsenull}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}",
      "{\"a\":-}", "{\"a\":--1}", "{\"a\":+1}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1.0}", "{\"a\":-0.0}",
      "{\"a\":1e2}", "{\"a\":1E2}", "{\"a\":1e}", "{\"a\":0123}", "{\"a\":00}", "{\"a\":-01}", "{\"a\":0x1}",
      "{\"a\":1true}", "{\"a\":1000000000000000000}", "{\"a\":-1000000000000000000}",
      "{\"a\":9223372036854775807}", "{\"a\":9223372036854775808}", "{\"a\":-9223372036854775808}",
      "{\"a\":-9223372036854775809}", "{\"a\":99999999999999999999}", "{\"a\":{}}", "{\"a\":{\"b\":1}}",
      "{\"a\":[]}", "{\"a\":[1,\"x\",null]}", members(17));

  @Test
  void theFastPathReadsThePlainBodies() {
    for (String body : FLAT) {
      assertThat(FlatJson.parse(bytes(body))).as(body).isNotNull();
      assertSame(bytes(body), body);
    }
    assertThat(render(FlatJson.parse(bytes(ORDER)))).isEqualTo(
        "{productId=String:flash,quantity=Integer:1,customerId=String:c-1,idempotencyKey=String:k}");
    assertThat(render(FlatJson.parse(bytes("{\"a\":2147483648,\"b\":-2147483648,\"c\":-0}"))))
        .isEqualTo("{a=Long:2147483648,b=Integer:-2147483648,c=Integer:0}");
  }

  @Test
  void edgeCasesGetWhatJacksonGivesThem() {
    for (String body : EDGES) {
      assertSame(bytes(body), body);
    }
    assertThat(outcome(bytes("{\"a\":1,\"a\":2}"))).isEqualTo("Malformed: the body has the key 'a' twice");
  }

  @Test
  void randomAndMutatedOrdersGetWhatJacksonGivesThem() {
    long seed = Long.getLong("flatjson.seed", 20_240_611L);
    Random random = new Random(seed);
    int fast = 0;
    int count = Integer.getInteger("flatjson.count", 5000);
    for (int i = 0; i < count; i++) {
      byte[] body = order(random);
      if (random.nextBoolean()) {
        body = mutated(body, random);
      }
      assertSame(body, "seed " + seed + ", body " + i + ": " + shown(body));
      fast += FlatJson.parse(body) != null ? 1 : 0;
    }
    // both paths must be exercised for the comparison to mean anything
    assertThat(fast).as("bodies the fast path read, seed " + seed).isBetween(count / 10, count * 9 / 10);
  }

  private static void assertSame(byte[] body, String description) {
    String jackson;
    try {
      jackson = render(StrictJson.parseWithJackson(body));
    } catch (StrictJson.Malformed e) {
      jackson = "Malformed: " + e.getMessage();
    }
    assertThat(outcome(body)).as(description).isEqualTo(jackson);
  }

  private static String outcome(byte[] body) {
    try {
      return render(StrictJson.parse(Buffer.buffer(body)));
    } catch (StrictJson.Malformed e) {
      return "Malformed: " + e.getMessage();
    }
  }

  /** Every value with its type, objects' keys in their order. */
  private static String render(Object value) {
    if (value instanceof JsonObject object) {
      List<String> members = new ArrayList<>();
      for (Map.Entry<String, Object> member : object) {
        members.add(member.getKey() + "=" + render(member.getValue()));
      }
      return "{" + String.join(",", members) + "}";
    } else if (value instanceof JsonArray array) {
      List<String> elements = new ArrayList<>();
      array.forEach(element -> elements.add(render(element)));
      return "[" + String.join(",", elements) + "]";
    }
    return value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
  }

  /** An order body with random members, values and whitespace; some of it the fast path's, some not. */
  private static byte[] order(Random random) {
    String[] keys = {"productId", "quantity", "customerId", "idempotencyKey", "note", "", "q\\u0075antity"};
    StringBuilder body = new StringBuilder().append(space(random)).append('{');
    int members = random.nextInt(10) == 0 ? random.nextInt(20) : 2 + random.nextInt(4);
    for (int i = 0; i < members; i++) {
      String key = random.nextInt(8) == 0 ? keys[random.nextInt(keys.length)] : keys[i % 4] + (i < 4 ? "" : i);
      body.append(i == 0 ? "" : ",").append(space(random)).append('"').append(key).append('"').append(space(random))
          .append(':').append(space(random)).append(value(random)).append(space(random));
    }
    body.append('}').append(space(random));
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String value(Random random) {
    String[] odd = {"true", "false", "null", "1.5", "1e3", "-0", "0", "{}", "[1]", "\"\"", "\"\\u0041\"",
        "\"caf\u00e9\"", "\"a\tb\"", "\"\\\"\"", "\"\u007f\"", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "9223372036854775807"};
    return switch (random.nextInt(10)) {
      case 0 -> odd[random.nextInt(odd.length)];
      case 1 -> (random.nextBoolean() ? "-" : "") + digits(random, 1 + random.nextInt(20));
      case 2, 3 -> digits(random, 1 + random.nextInt(3));
      default -> "\"" + text(random) + "\"";
    };
  }

  /** Usually a plain integer; now and then a leading zero. */
  private static String digits(Random random, int length) {
    StringBuilder digits = new StringBuilder();
    digits.append(random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(9));
    for (int i = 1; i < length; i++) {
      digits.append(random.nextInt(10));
    }
    return digits.toString();
  }

  private static String text(Random random) {
    StringBuilder text = new StringBuilder(random.nextBoolean() ? "c-" : "flash-");
    for (int n = random.nextInt(12); n > 0; n--) {
      text.append((char) (0x20 + random.nextInt(0x5F)));
    }
    return text.toString();
  }

  /** JSON's four whitespace characters mostly; now and then a form feed or a no-break space, which JSON's is not. */
  private static String space(Random random) {
    String[] spaces = {" ", "\t", "\n", "\r", "  \r\n"};
    String[] notJson = {"\u000c", "\u00a0"};
    if (random.nextInt(100) == 0) {
      return notJson[random.nextInt(notJson.length)];
    }
    return random.nextInt(4) == 0 ? spaces[random.nextInt(spaces.length)] : "";
  }

  /** One to three byte edits: JSON's own characters mostly, and some that no JSON may hold. */
  private static byte[] mutated(byte[] body, Random random) {
    byte[] palette = "{}[]\",:\\/019-+.eEntfu \t\r\n\u0000\u007f".getBytes(StandardCharsets.ISO_8859_1);
    byte[] bytes = body;
    for (int n = 1 + random.nextInt(3); n > 0 && bytes.length > 0; n--) {
      int at = random.nextInt(bytes.length);
      byte b = random.nextInt(10) == 0 ? (byte) random.nextInt(256) : palette[random.nextInt(palette.length)];
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (random.nextInt(4)) {
        case 0 -> out.write(bytes, 0, at); // cut short
        case 1 -> {
          out.write(bytes, 0, at);
          out.write(bytes, at + 1, bytes.length - at - 1);
        }
        case 2 -> {
          out.write(bytes, 0, at);
          out.write(b);
          out.write(bytes, at, bytes.length - at);
        }
        default -> {
          out.write(bytes, 0, at);
          out.write(b);
          out.write(bytes, at + 1, bytes.length - at - 1);
        }
      }
      bytes = out.toByteArray();
    }
    return bytes;
  }

  private static String members(int count) {
    StringBuilder body = new StringBuilder("{");
    for (int i = 0; i < count; i++) {
      body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    return body.append('}').toString();
  }

  /** The body's bytes, those outside printable ASCII as \\xNN. */
  private static String shown(byte[] body) {
    StringBuilder shown = new StringBuilder();
    for (byte b : body) {
      shown.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02X", b & 0xFF));
    }
    return shown.toString();
  }

  private static byte[] bytes(String body) {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
