package bolt.http;

import io.vertx.pgclient.PgException;

/**
 * PostgreSQL data errors: SQLSTATE class 22 (a value out of range or malformed) and 23 (an integrity
 * constraint). Where a handler passed the request's own values into the statement, these are the
 * client's problem and {@link #fromInput} makes them a 4xx; anywhere else they reach
 * {@link FailureHandler} as they are and are answered as the bug they are (500, logged with an id).
 * Never 503: the database answered.
 */
final class DataErrors {

  static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";

  private DataErrors() {
  }

  /** The SQLSTATE of a PostgreSQL error, or null for any other failure. */
  static String sqlState(Throwable failure) {
    return failure instanceof PgException pg ? pg.getSqlState() : null;
  }

  /** Class 22 as 400 INVALID_VALUE, class 23 as 409 CONFLICT; any other failure unchanged. */
  static Throwable fromInput(Throwable failure) {
    String state = sqlState(failure);
    if (state != null && state.startsWith("22")) {
      return new ApiError(400, "INVALID_VALUE", "a value of the request cannot be stored: out of range or malformed");
    }
    if (state != null && state.startsWith("23")) {
      return new ApiError(409, "CONFLICT", "the request conflicts with the stored data");
    }
    return failure;
  }
}
