package bolt.console;

import bolt.support.BoltProcess;
import bolt.support.Browser;
import bolt.support.OrderLoad;
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
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console at /admin/ in a real browser, on the packaged jar: a wrong token is refused
 * with a clear message; with the right one the console shows the products' numbers as the database
 * and Redis have them, and follows a running load (accepted per second, units left and sold
 * moving); restocking and creating a product from the console change what it shows; recent orders
 * are listed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsolePageIT {

  @RegisterExtension
  static final TestEnvExtension world = TestEnvExtension.perClass();

  private static TestEnv env;
  private static BoltProcess bolt;
  private static Browser browser;

  @BeforeAll
  static void start() {
    env = world.env();
    env.createProduct("kettle", 100_000);
    env.createProduct("toaster", 500);
    bolt = BoltProcess.startReady("console", env.environment(), Duration.ofSeconds(60));
    browser = Browser.open(1400, 1100);
    browser.go("http://127.0.0.1:" + bolt.httpPort() + "/admin/");
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
    }
  }

  @Test
  @Order(1)
  void aWrongTokenIsRefusedWithAClearMessage() {
    signIn("not-the-token");
    browser.untilText("#auth-message", "the refusal",
        "Wrong admin token: the server refused it (401 Unauthorized). Enter it again."::equals);
    assertThat(browser.find("#dashboard").isDisplayed()).isFalse();
    browser.screenshot("console-wrong-token");
  }

  @Test
  @Order(2)
  void showsTheSaleAndFollowsALoad() {
    signIn(TestEnv.ADMIN_TOKEN);
    browser.untilText("#live", "the stream live", text -> text.startsWith("live ·"));
    browser.untilText(cell("kettle", "available"), "kettle's units", "100,000"::equals);
    assertThat(browser.text(cell("kettle", "stock"))).isEqualTo("100,000");
    assertThat(browser.text(cell("kettle", "sold"))).isEqualTo("0");
    assertThat(browser.text(cell("toaster", "available"))).isEqualTo("500");
    assertThat(browser.text("#health-redis")).isEqualTo("UP");
    assertThat(browser.text("#health-postgres")).isEqualTo("UP");
    assertThat(browser.text("#dead-letters")).isEqualTo("0");

    OrderLoad load = OrderLoad.start(world.vertx(), bolt.httpPort(), List.of("kettle"), 4, Long.MAX_VALUE,
        Duration.ofMillis(5));
    try {
      browser.untilText("#rate-accepted", "orders accepted per second", text -> number(text) > 0);
      browser.untilText(cell("kettle", "available"), "kettle's units going down", text -> number(text) < 100_000);
      browser.untilText(cell("kettle", "sold"), "kettles sold", text -> number(text) > 0);
      browser.screenshot("console");
    } finally {
      load.stopAndAwait(Duration.ofSeconds(30));
    }
    // once drained, the page shows exactly what the database and Redis hold
    Waits.eventually(Duration.ofSeconds(20), "the load drained", () -> env.ledger("kettle", "inflight") == 0
        && env.queueLength() == 0);
    long stock = env.dbStock("kettle");
    long sold = env.sql("SELECT coalesce(sum(quantity), 0) AS units FROM orders WHERE status = 'CONFIRMED'")
        .get(0).getLong("units");
    assertThat(stock + sold).isEqualTo(100_000);
    browser.untilText(cell("kettle", "stock"), "the DB stock", text -> number(text) == stock);
    browser.untilText(cell("kettle", "available"), "Redis's units", text -> number(text) == stock);
    browser.untilText(cell("kettle", "sold"), "the units sold", text -> number(text) == sold);
    browser.untilText("#backlog", "an empty backlog", "0"::equals);
    browser.untilText("#rate-accepted", "no more orders", "0"::equals);
  }

  @Test
  @Order(3)
  void restocksFromTheConsole() {
    WebElement quantity = browser.find(row("toaster") + " .restock-qty");
    quantity.clear();
    quantity.sendKeys("25");
    browser.find(row("toaster") + " .restock").click();
    browser.untilText("#restock-message", "the restock done",
        "Added 25 to toaster: stock 525, available 525."::equals);
    browser.untilText(cell("toaster", "stock"), "the new stock", "525"::equals);
    browser.untilText(cell("toaster", "available"), "the new units", "525"::equals);
    assertThat(env.dbStock("toaster")).isEqualTo(525);
  }

  @Test
  @Order(4)
  void createsAProductAndListsRecentOrders() {
    WebElement form = browser.find("#create");
    form.findElement(By.name("id")).sendKeys("blender");
    form.findElement(By.name("name")).sendKeys("Blender");
    form.findElement(By.name("stock")).sendKeys("42");
    form.findElement(By.name("limitPerCustomer")).sendKeys("2");
    form.findElement(By.cssSelector("button[type=submit]")).click();
    browser.untilText("#create-message", "the product created", "Created blender with 42 units."::equals);
    browser.untilText(cell("blender", "available"), "the new product's units", "42"::equals);
    assertThat(browser.text(cell("blender", "limit"))).isEqualTo("2 / customer");

    browser.find("#list-orders").click();
    browser.until("recent orders listed", d -> browser.driver().findElements(By.cssSelector("#orders tbody tr[data-order]"))
        .size() == 20);
    List<Row> newest = env.sql("SELECT id::text AS id FROM orders ORDER BY id DESC LIMIT 20");
    List<String> shown = browser.driver().findElements(By.cssSelector("#orders tbody tr[data-order]")).stream()
        .map(tr -> tr.getAttribute("data-order")).toList();
    assertThat(shown).containsExactlyElementsOf(newest.stream().map(r -> r.getString("id")).toList());
    browser.screenshot("console-actions");
  }

  private static void signIn(String token) {
    WebElement input = browser.find("#token");
    input.clear();
    input.sendKeys(token);
    browser.find("#connect").click();
  }

  private static String row(String product) {
    return "#products tr[data-product=\"" + product + "\"]";
  }

  private static String cell(String product, String column) {
    return row(product) + " ." + column;
  }

  /** A number as the page shows it ("12,345", "3.5"); -1 when it shows none. */
  private static double number(String text) {
    try {
      return Double.parseDouble(text.replace(",", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
