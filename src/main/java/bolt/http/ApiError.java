package bolt.http;

import io.vertx.core.json.JsonObject;

/**
 * A client-facing error: status, a stable code and a message, plus optional detail fields. Thrown
 * (or failed) anywhere in a handler chain and rendered by {@link Errors}; never carries a stack trace.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonObject details;

  public ApiError(int status, String code, String message) {
    this(status, code, message, new JsonObject());
  }

  public ApiError(int status, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public int status() {
    return status;
  }

  public JsonObject body() {
    return new JsonObject().put("error", code).put("message", getMessage()).mergeIn(details);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "NOT_FOUND", what);
  }
}
