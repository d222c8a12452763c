package bolt.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Reads and validates a JSON request body field by field, collecting every problem so that one 400
 * names all bad fields. Unknown fields are ignored.
 */
final class JsonInput {

  private final JsonObject body;
  /** Made at the first problem: a valid order has none. */
  private JsonObject problems;

  private JsonInput(JsonObject body) {
    this.body = body;
  }

  /**
   * The body as a JSON object, or 415/400 with a code that says which of the two is wrong (routes
   * refuse other types before reading the body already: {@link BodyGate}).
   */
  static JsonInput of(RoutingContext ctx) {
    if (!isJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
    }
    return parse(ctx.body().buffer());
  }

  /** A body already known to be JSON by its type, as a JSON object, or 400 MALFORMED_JSON. */
  static JsonInput parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new ApiError(400, "MALFORMED_JSON", "the body is empty; send a JSON object");
    }
    Object parsed;
    try {
      parsed = StrictJson.parse(body);
    } catch (StrictJson.Malformed e) {
      throw new ApiError(400, "MALFORMED_JSON", e.getMessage());
    }
    if (!(parsed instanceof JsonObject object)) {
      throw new ApiError(400, "MALFORMED_JSON", "the body must be a JSON object");
    }
    return new JsonInput(object);
  }

  /**
   * {@code application/json} with any parameters (a charset changes nothing: JSON is UTF-8). Other
   * types, {@code application/json-patch+json} and other {@code +json} types included, are not what
   * the API reads.
   */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    if (contentType.equalsIgnoreCase(Errors.JSON)) {
      return true; // what nearly every order sends: no parameter to cut, nothing to trim
    }
    int parameters = contentType.indexOf(';');
    String mediaType = parameters < 0 ? contentType : contentType.substring(0, parameters);
    return mediaType.trim().equalsIgnoreCase(Errors.JSON);
  }

  /**
   * The field's value as the parser made it: a String, Number, Boolean, JsonObject, JsonArray or
   * null. Read from the map itself: {@code JsonObject.getValue} re-wraps every value it returns, a
   * cost each order paid for nothing.
   */
  private Object value(String field) {
    return body.getMap().get(field);
  }

  String requiredString(String field, int maxLength) {
    return requiredString(field, maxLength, false);
  }

  /** A required string that is a valid product id ({@link ProductIds}). */
  String requiredProductId(String field) {
    return requiredString(field, ProductIds.MAX_LENGTH, true);
  }

  String optionalString(String field, int maxLength) {
    Object value = value(field);
    return value == null ? null : checkedString(field, value, maxLength, false);
  }

  private String requiredString(String field, int maxLength, boolean productId) {
    Object value = value(field);
    if (value == null) {
      problem(field, "is required");
      return null;
    }
    return checkedString(field, value, maxLength, productId);
  }

  private String checkedString(String field, Object value, int maxLength, boolean productId) {
    if (!(value instanceof String text)) {
      problem(field, "must be a string");
      return null;
    }
    if (text.isEmpty() || text.length() > maxLength) {
      problem(field, "must be 1 to " + maxLength + " characters");
      return null;
    }
    if (productId && !ProductIds.allowedCharacters(text)) {
      problem(field, "must match " + ProductIds.RULE);
      return null;
    }
    // PostgreSQL text cannot hold NUL: accepted, the order could never be written (a poison job)
    if (text.indexOf('\u0000') >= 0) {
      problem(field, "must not contain NUL characters");
      return null;
    }
    return text;
  }

  /** An integer in [min, max]: 1.5, "3", true and out-of-range values are all refused by name. */
  int requiredInt(String field, int min, int max) {
    Object value = value(field);
    if (value == null) {
      problem(field, "is required");
      return 0;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      problem(field, "must be an integer");
      return 0;
    }
    long number = ((Number) value).longValue();
    if (number < min || number > max) {
      problem(field, "must be between " + min + " and " + max);
      return 0;
    }
    return (int) number;
  }

  /** Whether the body has the field at all (a PATCH changes only the fields it names; null removes a rule). */
  boolean has(String field) {
    return body.containsKey(field);
  }

  /** An integer in [min, max], or null when the field is absent or null. */
  Integer optionalInt(String field, int min, int max) {
    return value(field) == null ? null : requiredInt(field, min, max);
  }

  /**
   * An ISO-8601 instant with its offset ({@code 2026-12-01T10:00:00Z}), to the millisecond (Redis's
   * clock decides in milliseconds), or null when absent or null.
   */
  Instant optionalInstant(String field) {
    Object value = value(field);
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      try {
        return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
      } catch (DateTimeParseException e) {
        // named below
      }
    }
    problem(field, "must be an ISO-8601 instant with an offset, such as 2026-12-01T10:00:00Z");
    return null;
  }

  /** Records a problem of the field: the checks here record theirs, a caller those they cannot see (between two fields). */
  void problem(String field, String problem) {
    if (problems == null) {
      problems = new JsonObject();
    }
    problems.put(field, problem);
  }

  /** Throws 400 INVALID_REQUEST naming every bad field, if there is one. */
  void validate() {
    if (problems != null) {
      throw new ApiError(400, "INVALID_REQUEST", "invalid fields: " + String.join(", ", problems.fieldNames()),
          new JsonObject().put("fields", problems));
    }
  }
}
