package bolt.stock;

import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * restock.lua and sync_product.lua against real Redis: a restock reaches `available` exactly once,
 * whichever of the two scripts applies it first (I4: Redis never offers units the DB lacks).
 */
class RestockScriptTest {

  private static final LuaScript RESTOCK = LuaScript.load("restock");
  private static final LuaScript SYNC = LuaScript.load("sync_product");

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;

  @BeforeAll
  static void create() {
    env = world.env();
  }

  /** A quiescent product: 10 available, the DB at stock 10, version 1. */
  private static void quiescent(String product) {
    env.redis(Command.HSET, env.keys().product(product), "available", 10, "inflight", 0, "dbstock", 10, "dbver", 1);
  }

  private static long restock(String product, int delta, long stockAfter, long versionAfter) {
    return TestEnv.await(RESTOCK.run(env.redis(), List.of(env.keys().product(product)),
        List.of(delta, stockAfter, versionAfter))).toLong();
  }

  private static void sync(String product, long stock, long version) {
    TestEnv.await(SYNC.run(env.redis(), List.of(env.keys().product(product)), List.of(stock, version)));
  }

  @Test
  void restockAddsItsDelta() {
    quiescent("plain");
    assertThat(restock("plain", 5, 15, 2)).isEqualTo(15);
    assertThat(env.ledger("plain", "dbstock")).isEqualTo(15);
    assertThat(env.ledger("plain", "dbver")).isEqualTo(2);
  }

  @Test
  void aSyncThatReadTheRestockedRowFirstIsNotAddedToAgain() {
    quiescent("raced");
    // the periodic sync read the row right after the restock's commit and ran before the restock script
    sync("raced", 15, 2);
    assertThat(env.ledger("raced", "available")).isEqualTo(15);

    assertThat(restock("raced", 5, 15, 2)).as("available after the late restock script").isEqualTo(15);
  }

  @Test
  void aBatchAckedAfterTheRestockCommitDoesNotSwallowTheDelta() {
    quiescent("busy");
    // 2 units reserved; their batch commits after the restock (DB 13, version 3) and is acked first
    env.redis(Command.HSET, env.keys().product("busy"), "available", 8, "dbstock", 13, "dbver", 3);

    assertThat(restock("busy", 5, 15, 2)).isEqualTo(13);
    assertThat(env.ledger("busy", "dbver")).as("the newer version is kept").isEqualTo(3);
  }

  @Test
  void aSyncNeverTouchesAProductWithUnitsInFlight() {
    quiescent("inflight");
    env.redis(Command.HSET, env.keys().product("inflight"), "available", 7, "inflight", 3);
    sync("inflight", 20, 5);
    assertThat(env.ledger("inflight", "available")).isEqualTo(7);
  }
}
