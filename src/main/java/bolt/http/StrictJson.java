package bolt.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * RFC 8259 JSON, strictly: UTF-8 only (no overlong forms, no encoded surrogates), no lone surrogate
 * in an escape, no duplicate keys, no comments, nothing after the value. Vert.x's own parser allows
 * comments, keeps the last of duplicate keys, and Jackson decodes overlong UTF-8 and lone \\uD800
 * escapes into strings that PostgreSQL would store as something other than what the client sent.
 */
final class StrictJson {

  /** Comments and every other extension are off in a plain factory (Vert.x turns comments on in its own). */
  private static final JsonFactory FACTORY = new JsonFactory();

  private StrictJson() {
  }

  /** A JSON problem, with a message fit for the client. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The value of the document: a JsonObject, JsonArray, String, Number, Boolean or null. The plain
   * object nearly every order sends is read without a Jackson parser ({@link FlatJson}); its results
   * are Jackson's.
   */
  static Object parse(Buffer body) throws Malformed {
    byte[] bytes = body.getBytes();
    JsonObject flat = FlatJson.parse(bytes);
    return flat != null ? flat : parseWithJackson(bytes);
  }

  /** Every body the fast path leaves, and the reference its results are tested against. */
  static Object parseWithJackson(byte[] bytes) throws Malformed {
    try (JsonParser parser = isAscii(bytes) ? FACTORY.createParser(bytes) : FACTORY.createParser(utf8(bytes))) {
      if (parser.nextToken() == null) {
        throw new Malformed("the body holds no JSON value");
      }
      Object value = value(parser);
      if (parser.nextToken() != null) {
        throw new Malformed("the body has more after its JSON value");
      }
      return value;
    } catch (JsonParseException e) {
      // Jackson's own message is not for clients; where it stopped is
      throw new Malformed("the body is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")");
    } catch (IOException e) {
      throw new Malformed("the body is not valid JSON");
    }
  }

  /**
   * Nearly every body is ASCII, and ASCII is valid UTF-8 as it is: only the others need the strict
   * decoder. Not NUL: Jackson reads bytes with NULs in them as UTF-16 or UTF-32, which JSON is not.
   */
  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b <= 0) {
        return false;
      }
    }
    return true;
  }

  private static String utf8(byte[] bytes) throws Malformed {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Malformed("the body is not valid UTF-8");
    }
  }

  private static Object value(JsonParser parser) throws IOException, Malformed {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        JsonObject object = new JsonObject();
        for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
          if (object.containsKey(checked(key))) {
            throw new Malformed("the body has the key '" + abbreviated(key) + "' twice");
          }
          object.put(key, valueAfter(parser));
        }
        return object;
      case START_ARRAY:
        JsonArray array = new JsonArray();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          array.add(value(parser));
        }
        return array;
      case VALUE_STRING:
        return checked(parser.getText());
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return parser.getNumberValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new Malformed("the body is not valid JSON (unexpected " + token + ")");
    }
  }

  private static Object valueAfter(JsonParser parser) throws IOException, Malformed {
    parser.nextToken();
    return value(parser);
  }

  private static String abbreviated(String key) {
    if (key.length() <= 64) {
      return key;
    }
    int end = Character.isHighSurrogate(key.charAt(63)) ? 63 : 64;
    return key.substring(0, end) + "...";
  }

  /** Refuses a string with an unpaired surrogate (from an escape such as \\uD800): it has no UTF-8 form. */
  private static String checked(String text) throws Malformed {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new Malformed("the body has a string with an unpaired surrogate (\\u"
            + Integer.toHexString(c).toUpperCase() + "); it is not Unicode text");
      }
    }
    return text;
  }
}
