package bolt.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The two pages, served from the jar ({@code src/main/resources/webroot}): the storefront at
 * {@code /} and the operator console at {@code /admin/}, with their scripts and styles under
 * {@code /assets/}. Plain files, no build step, nothing loaded from elsewhere; the
 * Content-Security-Policy holds them to this origin, so no injected script could run and read the
 * admin token the console keeps in the tab's session storage. The console page itself needs no
 * token: it asks for one, and the API it calls checks it.
 */
public final class Pages {

  /** Everything from this origin; no inline script or style, no frames. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  /** Short: a new jar's pages reach a browser within a minute; ETag and Last-Modified make a re-check cheap. */
  private static final long MAX_AGE_SECONDS = 60;

  private Pages() {
  }

  public static void mount(Router router) {
    // a StaticHandler serves its route's path relative to the route: each directory gets its own
    readable(router, "/").handler(Pages::secured).handler(files("webroot"));
    readable(router, "/admin/").handler(Pages::secured).handler(files("webroot/admin"));
    // after /admin/: a route of /admin matches /admin/ too
    readable(router, "/admin").handler(ctx -> ctx.redirect("/admin/"));
    readable(router, "/assets/*").handler(Pages::secured).handler(files("webroot/assets"));
  }

  private static StaticHandler files(String directory) {
    return StaticHandler.create(directory).setMaxAgeSeconds(MAX_AGE_SECONDS).setDirectoryListing(false);
  }

  private static Route readable(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  private static void secured(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
