package dev.streamlens.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How long the dashboard takes to show its figures, in Debian's headless Chromium with its cache
 * off (each run a first visit): from navigation start to the page's {@code streamlens-figures-shown}
 * mark (totals, charts and table drawn). In the same run, the baseline: the page's own API calls
 * (read from its Resource Timing) sent again together by a plain HTTP client, i.e. what the data
 * alone costs the service. Arguments: {@code <query-url> <tenant> <range: 30d, 24h, ...> [runs]}.
 */
public final class DashboardLoadBenchmark {

    private DashboardLoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = args[0] + "/?tenant=" + args[1] + "&range=" + args[2];
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        List<Double> shown = new ArrayList<>();
        List<Double> apiOnly = new ArrayList<>();
        // One browser, its cache off: each run is a first visit of a browser already running (a
        // new browser process on each run adds its own start-up to the page's time).
        ChromeDriver driver = browser();
        driver.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
        try {
            for (int run = 0; run <= runs; run++) {
                driver.get("about:blank");
                driver.get(url);
                new WebDriverWait(driver, Duration.ofSeconds(60))
                        .until(d -> script(
                                d, "return performance.getEntriesByName('streamlens-figures-shown').length > 0"));
                double figures = ((Number) script(
                                driver, "return performance.getEntriesByName('streamlens-figures-shown')[0].startTime"))
                        .doubleValue();
                @SuppressWarnings("unchecked")
                List<String> calls = (List<String>)
                        script(
                                driver,
                                "return performance.getEntriesByType('resource')"
                                        + ".map(e => e.name).filter(n => n.includes('/v1/metrics') || n.includes('/v1/progress'))");
                double api = apiCalls(calls);
                // Where the time went: the page's scripts ran, its API calls started and ended.
                @SuppressWarnings("unchecked")
                List<Number> phases = (List<Number>)
                        script(
                                driver,
                                "const n = performance.getEntriesByType('navigation')[0];"
                                        + " const r = performance.getEntriesByType('resource').filter(e => e.name.includes('/v1/'));"
                                        + " return [n.domContentLoadedEventEnd, Math.min(...r.map(e => e.startTime)), Math.max(...r.map(e => e.responseEnd))];");
                System.out.printf(
                        "  page ready %.0f ms, API calls from %.0f to %.0f ms%n",
                        phases.get(0).doubleValue(),
                        phases.get(1).doubleValue(),
                        phases.get(2).doubleValue());
                if (run > 0) { // the first run warms the service's JIT and PostgreSQL's cache
                    shown.add(figures);
                    apiOnly.add(api);
                }
                System.out.printf(
                        "run %d: figures shown after %.0f ms; its %d API calls alone %.0f ms%n",
                        run, figures, calls.size(), api);
            }
        } finally {
            driver.quit();
        }
        System.out.printf(
                "%s: median figures shown %.0f ms, median API calls alone %.0f ms (%.2fx)%n",
                args[2], median(shown), median(apiOnly), median(shown) / median(apiOnly));
    }

    private static Object script(org.openqa.selenium.WebDriver driver, String js) {
        return ((JavascriptExecutor) driver).executeScript(js);
    }

    /** The calls sent together, as the page sends them; wall time until the last answer. */
    private static double apiCalls(List<String> urls) {
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> answers = urls.stream()
                .map(u -> http.sendAsync(
                        HttpRequest.newBuilder(URI.create(u)).build(), HttpResponse.BodyHandlers.ofString()))
                .toList();
        answers.forEach(CompletableFuture::join);
        return (System.nanoTime() - start) / 1e6;
    }

    private static ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions()
                .setBinary("/usr/bin/chromium")
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--window-size=1280,800");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "SEVERE"));
        return new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                        .usingAnyFreePort()
                        .build(),
                options);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
