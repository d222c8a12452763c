package bolt.http;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * The body nearly every order sends, read without Jackson: one flat JSON object of at most 16 members
 * whose keys and strings are printable ASCII without escapes and whose values are such strings, short
 * integers, true, false or null. During a flash sale building a Jackson parser for it costs more than
 * the rest of the refusal. Anything else, every error included, is left to {@link StrictJson}'s Jackson
 * path ({@code null}), so that a body gets the same value or the same message whichever path reads it.
 */
final class FlatJson {

  private static final int MAX_MEMBERS = 16;
  /** 18 digits always fit a long; 19 may not. */
  private static final int MAX_DIGITS = 18;
  /** Not a value: JSON's null is one. */
  private static final Object GIVE_UP = new Object();

  private final byte[] bytes;
  private int at;

  private FlatJson(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The body's object, or null when the body is not the plain shape (valid or not). */
  static JsonObject parse(byte[] bytes) {
    return new FlatJson(bytes).document();
  }

  private JsonObject document() {
    skipWhitespace();
    if (!take('{')) {
      return null;
    }
    JsonObject object = new JsonObject();
    skipWhitespace();
    if (!take('}')) {
      do {
        skipWhitespace();
        String key = string();
        // a duplicate's message is the Jackson path's to give
        if (key == null || object.containsKey(key) || object.size() == MAX_MEMBERS) {
          return null;
        }
        skipWhitespace();
        if (!take(':')) {
          return null;
        }
        skipWhitespace();
        Object value = value();
        if (value == GIVE_UP) {
          return null;
        }
        object.put(key, value);
        skipWhitespace();
      } while (take(','));
      if (!take('}')) {
        return null;
      }
    }
    skipWhitespace();
    return at == bytes.length ? object : null;
  }

  /** A literal's or a number's end is checked by what must follow it: whitespace, ',' or '}'. */
  private Object value() {
    if (at == bytes.length) {
      return GIVE_UP;
    }
    byte b = bytes[at];
    if (b == '"') {
      String text = string();
      return text == null ? GIVE_UP : text;
    } else if (b == '-' || isDigit(b)) {
      return integer();
    } else if (take("true")) {
      return Boolean.TRUE;
    } else if (take("false")) {
      return Boolean.FALSE;
    } else if (take("null")) {
      return null;
    }
    return GIVE_UP;
  }

  /** Printable ASCII between quotes, or null: escapes, controls and other bytes are Jackson's. */
  private String string() {
    if (!take('"')) {
      return null;
    }
    for (int end = at; end < bytes.length; end++) {
      byte b = bytes[end];
      if (b == '"') {
        String text = new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
        at = end + 1;
        return text;
      } else if (b < 0x20 || b > 0x7E || b == '\\') {
        return null;
      }
    }
    return null;
  }

  /** Integer when it fits an int, Long otherwise: what Jackson's getNumberValue gives for these. */
  private Object integer() {
    boolean negative = take('-');
    int first = at;
    long magnitude = 0;
    for (; at < bytes.length && isDigit(bytes[at]) && at - first < MAX_DIGITS; at++) {
      magnitude = magnitude * 10 + (bytes[at] - '0');
    }
    int digits = at - first;
    if (digits == 0 || (digits > 1 && bytes[first] == '0') || (at < bytes.length && isDigit(bytes[at]))) {
      return GIVE_UP;
    }
    long value = negative ? -magnitude : magnitude;
    if (value == (int) value) {
      return Integer.valueOf((int) value);
    }
    return Long.valueOf(value);
  }

  private void skipWhitespace() {
    while (at < bytes.length && (bytes[at] == ' ' || bytes[at] == '\n' || bytes[at] == '\r' || bytes[at] == '\t')) {
      at++;
    }
  }

  private boolean take(char c) {
    if (at < bytes.length && bytes[at] == c) {
      at++;
      return true;
    }
    return false;
  }

  private boolean take(String literal) {
    if (bytes.length - at < literal.length()) {
      return false;
    }
    for (int i = 0; i < literal.length(); i++) {
      if (bytes[at + i] != literal.charAt(i)) {
        return false;
      }
    }
    at += literal.length();
    return true;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }
}
