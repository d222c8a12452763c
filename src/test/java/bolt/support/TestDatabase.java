package bolt.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;

import static bolt.support.Waits.await;
import static bolt.support.Waits.pause;

/**
 * A database of its own for one test environment, on the suite's PostgreSQL: created empty, dropped
 * with everything in it. BOLT_TEST_PG_URL names a database the role can CREATE DATABASE from.
 */
final class TestDatabase {

  static final String ADMIN_PG_URL =
      System.getenv().getOrDefault("BOLT_TEST_PG_URL", "postgresql://bolt:bolt@127.0.0.1:5432/bolt");

  private TestDatabase() {
  }

  /** The URL of the database {@code name} on the suite's server, as the admin role. */
  static String url(String name) {
    PgConnectOptions admin = PgConnectOptions.fromUri(ADMIN_PG_URL);
    return "postgresql://" + admin.getUser() + ":" + admin.getPassword() + "@" + admin.getHost() + ":"
        + admin.getPort() + "/" + name;
  }

  static void create(Vertx vertx, String name) {
    Pool admin = PgBuilder.pool().connectingTo(ADMIN_PG_URL).using(vertx).build();
    try {
      await(admin.query("CREATE DATABASE " + name).execute());
    } finally {
      admin.close();
    }
  }

  static void drop(Vertx vertx, String name) {
    Pool admin = PgBuilder.pool().connectingTo(ADMIN_PG_URL).using(vertx).build();
    try {
      drop(admin, name, 1);
    } finally {
      admin.close();
    }
  }

  /**
   * FORCE ends the sessions on the database, but only sessions of this role: an autovacuum worker
   * that happens to be on the new database refuses (42501) until it finishes, in a moment.
   */
  private static void drop(Pool admin, String name, int attempt) {
    try {
      await(admin.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute());
    } catch (PgException e) {
      if (!"42501".equals(e.getSqlState()) || attempt == 20) {
        throw e;
      }
      pause(100);
      drop(admin, name, attempt + 1);
    }
  }
}
