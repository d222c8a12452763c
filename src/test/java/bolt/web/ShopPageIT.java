package bolt.web;

import bolt.support.BoltProcess;
import bolt.support.Browser;
import bolt.support.TcpProxy;
import bolt.support.TestEnv;
import bolt.support.TestEnvExtension;
import bolt.support.Waits;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shop at / in a real browser, on the packaged jar: a buyer sees the products and what is left,
 * buys, and watches the order turn CONFIRMED without reloading while the units left go down; every
 * refusal is said plainly (sold out, not started yet with a countdown, limit reached, and, with
 * Redis taken away, unavailable: try again). Redis is reached through a proxy the test can cut.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShopPageIT {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static TcpProxy redis;
  private static BoltProcess bolt;
  private static Browser browser;

  @BeforeAll
  static void start() {
    env = world.env();
    env.createProduct("phone", 5);
    env.createProduct("gone", 0);
    env.createProduct("limited", 10);
    env.sql("UPDATE products SET limit_per_customer = 1 WHERE id = 'limited'");
    env.createProduct("later", 10);
    env.sql("UPDATE products SET sale_starts_at = now() + interval '1 hour' WHERE id = 'later'");
    URI target = URI.create(TestEnv.REDIS_URL);
    redis = new TcpProxy(world.vertx(), target.getHost(), target.getPort());
    Map<String, String> environment = new HashMap<>(env.environment());
    environment.put("BOLT_REDIS_URL", "redis://127.0.0.1:" + redis.port());
    environment.put("BOLT_REDIS_TIMEOUT_MS", "500");
    bolt = BoltProcess.startReady("shop", environment, Duration.ofSeconds(60));
    browser = Browser.open(1280, 900);
    browser.go("http://127.0.0.1:" + bolt.httpPort() + "/");
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (bolt != null) {
        bolt.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Test
  @Order(1)
  void aBuyerSeesTheOrderConfirmedAndTheUnitsLeftGoDown() {
    browser.untilText("#product-phone .available", "the phone's units left", "5 left"::equals);
    assertThat(browser.text("#product-gone .available")).isEqualTo("Sold out");
    assertThat(browser.text("#product-later .rules")).startsWith("sale starts in 59:");
    assertThat(browser.text("#product-limited .rules")).isEqualTo("limit 1 per customer");
    String customer = browser.find("#customer").getAttribute("value");
    assertThat(customer).startsWith("buyer-");

    browser.find("#product-phone .buy").click();
    browser.untilText("#orders tbody tr:first-child .status", "the order CONFIRMED", "CONFIRMED"::equals);
    String orderId = browser.find("#orders tbody tr:first-child .id").getAttribute("title");
    List<Row> written = env.sql("SELECT product_id, quantity, customer_id, status FROM orders WHERE id = $1::uuid",
        orderId);
    assertThat(written).hasSize(1);
    assertThat(written.get(0).getString("product_id")).isEqualTo("phone");
    assertThat(written.get(0).getString("customer_id")).isEqualTo(customer);
    assertThat(written.get(0).getString("status")).isEqualTo("CONFIRMED");
    browser.untilText("#product-phone .available", "4 phones left", "4 left"::equals);
    assertThat(browser.text("#product-phone .message")).isEqualTo("Order accepted: see Your orders below.");
    browser.screenshot("shop");
  }

  @Test
  @Order(2)
  void everyRefusalIsSaidPlainly() {
    browser.find("#product-gone .buy").click();
    browser.untilText("#product-gone .message", "sold out", "Sold out."::equals);

    browser.find("#product-later .buy").click();
    String countdown = browser.untilText("#product-later .message", "the countdown",
        text -> text.startsWith("Not started yet: the sale opens in 59:"));
    browser.until("the countdown ticking", d -> !browser.text("#product-later .message").equals(countdown));

    browser.find("#product-limited .buy").click();
    browser.untilText("#orders tbody tr:first-child .status", "the limited order CONFIRMED", "CONFIRMED"::equals);
    browser.find("#product-limited .buy").click();
    browser.untilText("#product-limited .message", "the limit refusal",
        "Limit reached: at most 1 per customer, and you have 1."::equals);

    setQuantity("#product-phone .quantity", 9);
    browser.find("#product-phone .buy").click();
    browser.untilText("#product-phone .message", "too few left", "Only 4 left: you asked for 9."::equals);
    browser.screenshot("shop-refusals");
  }

  @Test
  @Order(3)
  void anUnavailableShopSaysTryAgainAndTheRetryBuysOnce() {
    setQuantity("#product-phone .quantity", 1);
    redis.blackhole();
    try {
      browser.find("#product-phone .buy").click();
      browser.untilText("#product-phone .message", "the unavailable message",
          text -> text.startsWith("The shop cannot take orders right now: try again in 1 s."));
    } finally {
      redis.forward();
    }
    // the buyer presses Buy again until the shop takes the order (Bolt's Redis connections come back)
    browser.until("the retry accepted", d -> {
      String message = browser.text("#product-phone .message");
      if (message.equals("Order accepted: see Your orders below.")) {
        return true;
      }
      if (!message.equals("Ordering…")) {
        browser.find("#product-phone .buy").click();
      }
      return null;
    });
    browser.untilText("#orders tbody tr:first-child .status", "the retried order CONFIRMED", "CONFIRMED"::equals);
    // however the first attempt ended in Redis, the page's retry used its Idempotency-Key: one order
    Waits.eventually(Duration.ofSeconds(10), "3 phones left in the database", () -> env.dbStock("phone") == 3);
    assertThat(env.sql("SELECT count(*) AS n FROM orders WHERE product_id = 'phone'").get(0).getLong("n")).isEqualTo(2);
  }

  /** Sets a number input as a person does: clear it, type the new value. */
  private static void setQuantity(String css, int value) {
    var input = browser.driver().findElement(By.cssSelector(css));
    input.clear();
    input.sendKeys(String.valueOf(value));
  }
}
