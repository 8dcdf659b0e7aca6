package dev.streamlens.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its own chromedriver (packages {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them): no driver download, no internet.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver driver;
    private final Path screenshots;

    private HeadlessChromium(ChromeDriver driver, Path screenshots) {
        this.driver = driver;
        this.screenshots = screenshots;
    }

    static HeadlessChromium start(Path screenshots) throws IOException {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("the browser test needs " + BROWSER + " and " + DRIVER
                    + ": apt-get install chromium chromium-driver (.ci/run does when they are missing)");
        }
        Files.createDirectories(screenshots);
        ChromeOptions options = new ChromeOptions()
                .setBinary(BROWSER.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--window-size=1280,800",
                        "--hide-scrollbars");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new HeadlessChromium(new ChromeDriver(service, options), screenshots);
    }

    void open(String url) {
        driver.get(url);
    }

    @SuppressWarnings("unchecked")
    <T> T script(String javaScript) {
        return (T) ((JavascriptExecutor) driver).executeScript(javaScript);
    }

    /** Waits until the condition holds on the page, re-checking as it refreshes; fails with the last value seen. */
    <T> T await(String what, Duration timeout, java.util.function.Function<HeadlessChromium, T> read, Predicate<T> ok) {
        Object[] last = new Object[1];
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(200)).until(d -> {
                T value = read.apply(this);
                last[0] = value;
                return ok.test(value) ? value : null;
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(what + " did not happen within " + timeout + "; last seen: " + last[0], e);
        }
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves what the page shows now under the test's screenshot folder. */
    Path screenshot(String name) throws IOException {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = screenshots.resolve(name + ".png");
        Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** The console's entries since the last call (reading clears them). */
    List<LogEntry> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
