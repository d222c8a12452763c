package bolt.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Bearer-token guard for /admin: 403 when no token is configured, 401 unless the token matches. */
final class AdminAuth implements Handler<RoutingContext> {

  private final byte[] token;

  AdminAuth(String token) {
    this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token == null) {
      throw new ApiError(403, "ADMIN_DISABLED", "the admin API is off: set BOLT_ADMIN_TOKEN to enable it");
    }
    String header = ctx.request().getHeader("Authorization");
    byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    // constant time, so response timing does not reveal how much of a guess was right
    if (!MessageDigest.isEqual(token, presented)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      throw new ApiError(401, "UNAUTHORIZED", "a valid 'Authorization: Bearer <token>' header is required");
    }
    ctx.next();
  }
}
