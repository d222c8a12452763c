package bolt.support;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Headless Chromium driven through Selenium, for the tests that use Bolt's pages as a person does.
 * Debian's chromium and chromium-driver (the same build, so the driver fits the browser), installed
 * by {@code scripts/services.sh --browser}, which {@code make test} runs. Nothing is downloaded: the
 * browser and driver paths are given, so Selenium Manager is never asked for one. Each browser has a
 * fresh profile, deleted on close. Screenshots go to target/screenshots.
 */
public final class Browser implements AutoCloseable {

  public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("BOLT_TEST_CHROMIUM", "/usr/bin/chromium"));
  public static final Path CHROMEDRIVER =
      Path.of(System.getenv().getOrDefault("BOLT_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** A new headless browser with a window of this size; fails with how to install one when there is none. */
  public static Browser open(int width, int height) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new AssertionError("The browser tests need Chromium and its driver (" + CHROMIUM + ", " + CHROMEDRIVER
          + "): run scripts/services.sh --browser (make test does), or apt-get install chromium chromium-driver");
    }
    try {
      Path profile = Files.createTempDirectory("bolt-chromium-");
      ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
          // root in a container has no sandbox; the background services would try the network, which
          // this closed machine refuses
          .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-GB");
      ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
          .usingAnyFreePort().build();
      return new Browser(new ChromeDriver(service, options), profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  public void go(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** The element's text as a person sees it (trimmed), or "" when it is not there (yet). */
  public String text(String css) {
    return driver.findElements(By.cssSelector(css)).stream().findFirst().map(e -> e.getText().trim()).orElse("");
  }

  /** Waits (polling, up to 20 s) until the condition holds, and returns its value; the message says what did not happen. */
  public <T> T until(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).withMessage(what).until(condition);
  }

  /** Waits until the element's text satisfies {@code test}; returns that text. */
  public String untilText(String css, String what, java.util.function.Predicate<String> test) {
    return until(what + " (" + css + ")", d -> {
      String text = text(css);
      return test.test(text) ? text : null;
    });
  }

  /** Saves the page as it looks now to target/screenshots/{name}.png and returns the file. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a profile left in /tmp is harmless
      }
    }
  }
}
