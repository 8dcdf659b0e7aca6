package dev.streamlens.e2e;

import static dev.streamlens.e2e.StackProcess.JOIN_TIMEOUT_MS;
import static dev.streamlens.e2e.StackProcess.SHORT_TIMES;
import static dev.streamlens.e2e.StackProcess.WINDOW_MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.infra.FreePorts;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.Workload;
import dev.streamlens.testing.TestDirectories;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium against a running {@code ./streamlens up} with known
 * traffic: the totals, the table's rows and the freshness line equal the query API's answers and
 * the expectation computed here from the calls sent; tenant, range and filters update the view and
 * the address; with API keys on, a 401 asks for a key. No console errors. Screenshots of every view
 * go to {@code target/dashboard-screenshots/}.
 */
class DashboardBrowserIT {

    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    /** What the page and the API should show for a set of calls: sums and the raw latencies. */
    private record Totals(
            long requests,
            long errors,
            long timeouts,
            long promptTokens,
            long completionTokens,
            BigDecimal cost,
            long unpriced,
            List<Double> latencies) {

        static Totals of(ExpectedMetrics expected, Predicate<ExpectedMetrics.Key> which) {
            long requests = 0, errors = 0, timeouts = 0, prompt = 0, completion = 0, unpriced = 0;
            BigDecimal cost = BigDecimal.ZERO;
            List<Double> latencies = new ArrayList<>();
            for (var entry : expected.rows.entrySet()) {
                if (!which.test(entry.getKey())) {
                    continue;
                }
                ExpectedMetrics.Row row = entry.getValue();
                requests += row.requests;
                errors += row.errors;
                timeouts += row.timeouts;
                prompt += row.promptTokens;
                completion += row.completionTokens;
                unpriced += row.unpriced;
                cost = cost.add(row.cost);
                latencies.addAll(row.latencies);
            }
            return new Totals(requests, errors, timeouts, prompt, completion, cost, unpriced, latencies);
        }

        double p95() {
            List<Double> sorted = latencies.stream().sorted().toList();
            return sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1); // nearest rank
        }
    }

    @Test
    void thePageShowsWhatTheApiAndTheCallsSayAndFollowsEveryControl() throws Exception {
        Path home = TestDirectories.fresh("e2e-dashboard");
        Map<String, String> settings = StackProcess.settings(home, SHORT_TIMES);
        settings.put("STREAMLENS_TAG_KEYS", "feature"); // a custom dimension, for the tag picker
        String queryUrl = "http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT");
        QueryApi query = new QueryApi(queryUrl);
        byte[] prices;
        try (InputStream in = getClass().getResourceAsStream("/pricing/default-prices.json")) {
            prices = in.readAllBytes();
        }
        Instant since = Instant.now().minus(Duration.ofMinutes(5));

        try (StackProcess stack = StackProcess.up(settings)) {
            // A budget rule acme's traffic crosses at once: its alert fires and stays firing (a 60 min range).
            assertThat(query.call(
                                    "POST",
                                    "/v1/alert-rules",
                                    "{\"rule_id\":\"acme-budget\",\"tenant_id\":\"acme\","
                                            + "\"kind\":\"spend\",\"threshold\":0.000001}")
                            .status())
                    .isEqualTo(201);
            PacedSender sender = new PacedSender("http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT"));
            long start = System.currentTimeMillis() + 1000;
            Workload workload = Workload.generate(15, 300, start, 15_000, JOIN_TIMEOUT_MS, 1500, 3_000, 10_000);
            sender.play(workload.deliveries);
            assertThat(sender.refusals()).isEmpty();
            ExpectedMetrics expected = ExpectedMetrics.of(
                    sender.acknowledgedPart(workload.requests, workload.responses), prices, WINDOW_MS, JOIN_TIMEOUT_MS);
            Set<String> tenants = new TreeSet<>();
            expected.rows.keySet().forEach(k -> tenants.add(k.tenant()));
            awaitRows(query, tenants, since, expected);
            long lastWindowEnd = expected.rows.keySet().stream()
                            .mapToLong(ExpectedMetrics.Key::windowStart)
                            .max()
                            .orElseThrow()
                    + WINDOW_MS;
            awaitFinal(query, lastWindowEnd);
            awaitFiring(query, "acme");

            // A range of whole minutes around the traffic, as someone would pick it.
            long from = Math.floorDiv(start - 60_000, 60_000) * 60_000;
            long to = -Math.floorDiv(-(lastWindowEnd + 60_000), 60_000) * 60_000;
            String range = "&range=custom&from=" + minute(from) + "&to=" + minute(to);
            Predicate<ExpectedMetrics.Key> inRange = k -> k.windowStart() >= from && k.windowStart() < to;

            try (HeadlessChromium browser = HeadlessChromium.start(SCREENSHOTS)) {
                // One tenant over the range: totals, table and freshness.
                browser.open(queryUrl + "/?tenant=acme" + range);
                Totals acme = Totals.of(expected, inRange.and(k -> k.tenant().equals("acme")));
                Map<String, String> totals = awaitTotals(browser, acme.requests());
                assertTotals(totals, acme);
                JsonNode apiTotals = query.get("/v1/metrics?tenant_id=acme&granularity=all&group_by=none&from="
                                + Instant.ofEpochMilli(from) + "&to=" + Instant.ofEpochMilli(to))
                        .get("metrics")
                        .get(0);
                assertThat(totals.get("requests"))
                        .isEqualTo(apiTotals.get("requests").asText());
                assertThat(Double.parseDouble(totals.get("p95_latency_ms")))
                        .isEqualTo(apiTotals.get("p95_latency_ms").asDouble());
                assertTable(
                        browser, query, expected, inRange.and(k -> k.tenant().equals("acme")), "acme", from, to);
                assertFreshness(browser, query);
                assertAttribution(
                        browser, query, expected, inRange.and(k -> k.tenant().equals("acme")), "acme", from, to);
                assertThat(charts(browser)).containsKeys("volume", "latency", "tokens-in", "tokens-out", "cost");
                assertFiringAlertShown(browser, query);
                browser.screenshot("1-acme-custom-range");
                browser.resize(1280, 1900);
                browser.screenshot("0-acme-whole-page"); // the README's picture
                browser.resize(1280, 800);
                assertNoConsoleErrors(browser, "");

                // A model filter: charts, totals and address follow it.
                String model = expected.rows.keySet().stream()
                        .filter(k -> k.tenant().equals("acme"))
                        .map(ExpectedMetrics.Key::model)
                        .sorted()
                        .findFirst()
                        .orElseThrow();
                new Select(browser.driver.findElement(By.id("model"))).selectByValue(model);
                Totals acmeModel = Totals.of(
                        expected,
                        inRange.and(k -> k.tenant().equals("acme") && k.model().equals(model)));
                assertTotals(awaitTotals(browser, acmeModel.requests()), acmeModel);
                assertThat(browser.driver.getCurrentUrl())
                        .contains("model=" + model)
                        .contains("tenant=acme");
                browser.await(
                        "the token chart shows only " + model,
                        PAGE_TIMEOUT,
                        b -> charts(b).get("tokens-in"),
                        series -> series != null
                                && (series.equals("[\"" + model + "\"]")
                                        || series.equals("[\"" + model + "\",\"cached (all models)\"]")));
                browser.screenshot("2-acme-one-model");

                // Another tenant: the filters reset, everything shows globex.
                new Select(browser.driver.findElement(By.id("tenant"))).selectByValue("globex");
                Totals globex = Totals.of(expected, inRange.and(k -> k.tenant().equals("globex")));
                assertTotals(awaitTotals(browser, globex.requests()), globex);
                assertThat(browser.driver.getCurrentUrl())
                        .contains("tenant=globex")
                        .doesNotContain("model=");
                assertThat(browser.driver.findElement(By.id("alerts")).isDisplayed())
                        .as("globex has no alerts")
                        .isFalse();
                assertTable(
                        browser, query, expected, inRange.and(k -> k.tenant().equals("globex")), "globex", from, to);
                browser.screenshot("3-globex");

                // The last 15 minutes: one-minute buckets; all of this traffic lies in them.
                browser.driver.findElement(By.cssSelector("[data-range='15m']")).click();
                browser.await(
                        "15 one-minute buckets",
                        PAGE_TIMEOUT,
                        b -> charts(b).get("volume-points"),
                        points -> "15".equals(points) || "16".equals(points));
                assertTotals(awaitTotals(browser, globex.requests()), globex);
                assertThat(browser.driver.getCurrentUrl()).contains("range=15m").doesNotContain("from=");
                assertThat(browser.driver
                                .findElement(By.cssSelector("[data-range='15m']"))
                                .getAttribute("aria-pressed"))
                        .isEqualTo("true");
                browser.screenshot("4-globex-15-minutes");
                String shared = browser.driver.getCurrentUrl();

                // The keyboard alone: Enter on a range button (native buttons, focusable in order).
                browser.driver.findElement(By.cssSelector("[data-range='1h']")).sendKeys(Keys.ENTER);
                browser.await(
                        "the 1 h range by keyboard",
                        PAGE_TIMEOUT,
                        b -> b.driver.getCurrentUrl(),
                        url -> url.contains("range=1h"));
                assertTotals(awaitTotals(browser, globex.requests()), globex);

                // A range without calls says so, and what to do.
                browser.open(queryUrl + "/?tenant=globex&range=custom&from=2020-01-01T00:00&to=2020-01-01T06:00");
                String empty = browser.await(
                        "the empty state",
                        PAGE_TIMEOUT,
                        b -> b.driver.findElement(By.id("empty")).getText(),
                        text -> !text.isBlank());
                assertThat(empty)
                        .startsWith("No calls for globex in this range")
                        .contains("try a longer range");
                assertThat(browser.driver.findElement(By.id("content")).isDisplayed())
                        .isFalse();
                browser.screenshot("4b-empty-range");

                // The address of a view, opened again (as someone it was sent to would), shows that view.
                browser.open(shared);
                assertTotals(awaitTotals(browser, globex.requests()), globex);

                // A phone-sized screen: everything fits its width (the table scrolls inside its box).
                browser.resize(390, 844);
                browser.await(
                        "the page fits a phone's width",
                        PAGE_TIMEOUT,
                        b -> b.<Long>script("return document.documentElement.scrollWidth - window.innerWidth"),
                        overflow -> overflow <= 0);
                browser.screenshot("5-phone");
                assertNoConsoleErrors(browser, "");
            }

            keyedQueryService(settings, expected, inRange, range);
        }
    }

    /** The same database read by a query-service with API keys on: the page asks for a key first. */
    private void keyedQueryService(
            Map<String, String> settings,
            ExpectedMetrics expected,
            Predicate<ExpectedMetrics.Key> inRange,
            String range)
            throws Exception {
        String key = "dashboard-test-key-" + System.nanoTime();
        Path keys = Files.createTempFile("dashboard-keys", ".json");
        Files.writeString(keys, "{\"keys\": [{\"tenant_id\": \"acme\", \"sha256\": \"" + sha256(key) + "\"}]}");
        int port = FreePorts.pick();
        ProcessBuilder builder = new ProcessBuilder(
                        "java",
                        "-jar",
                        StackProcess.ROOT
                                .resolve("query-service/target/quarkus-app/quarkus-run.jar")
                                .toString())
                .redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("keyed-query", ".log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("STREAMLENS_"));
        builder.environment()
                .putAll(Map.of(
                        "HTTP_PORT",
                        Integer.toString(port),
                        "STREAMLENS_AUTH",
                        "api-key",
                        "STREAMLENS_API_KEYS_FILE",
                        keys.toString(),
                        "STREAMLENS_JDBC_URL",
                        "jdbc:postgresql://127.0.0.1:" + settings.get("STREAMLENS_POSTGRES_PORT") + "/postgres",
                        "STREAMLENS_ALERTS_KAFKA",
                        "false")); // a reader only: the stack's own service stores the alerts
        Process keyed = builder.start();
        try {
            String url = "http://127.0.0.1:" + port;
            awaitHealthy(url);
            try (HeadlessChromium browser = HeadlessChromium.start(SCREENSHOTS)) {
                browser.open(url + "/?tenant=acme" + range);
                browser.await(
                        "the key prompt",
                        PAGE_TIMEOUT,
                        b -> b.driver.findElement(By.id("key-prompt")).isDisplayed(),
                        shown -> shown);
                assertThat(browser.driver.findElement(By.id("freshness")).getText())
                        .contains("Enter an API key");
                assertThat(browser.driver.findElement(By.id("content")).isDisplayed())
                        .isFalse();
                browser.screenshot("6-key-prompt");

                browser.driver.findElement(By.id("key")).sendKeys("not-a-key");
                browser.driver.findElement(By.cssSelector("#key-form button")).click();
                browser.await(
                        "the refused key is named",
                        PAGE_TIMEOUT,
                        b -> b.driver.findElement(By.id("key-error")).isDisplayed(),
                        shown -> shown);

                browser.driver.findElement(By.id("key")).sendKeys(key);
                browser.driver.findElement(By.cssSelector("#key-form button")).click();
                Totals acme = Totals.of(expected, inRange.and(k -> k.tenant().equals("acme")));
                assertTotals(awaitTotals(browser, acme.requests()), acme);
                assertThat(new Select(browser.driver.findElement(By.id("tenant"))).getOptions())
                        .extracting(option -> option.getAttribute("value"))
                        .containsExactly("acme");
                assertThat(browser.driver.getCurrentUrl()).doesNotContain(key);
                browser.screenshot("7-with-key");
                // the two refused calls (no key, a wrong key) are the only console errors
                assertNoConsoleErrors(browser, "401");
            }
        } finally {
            keyed.destroy();
            keyed.waitFor();
        }
    }

    /** Each chart's series labels, and its number of buckets under "name-points". */
    private static Map<String, String> charts(HeadlessChromium browser) {
        return browser.script("const out = {}; document.querySelectorAll('.chart').forEach(c => {"
                + " const name = c.id.replace('chart-', '');"
                + " if (c.dataset.series) { out[name] = c.dataset.series; out[name + '-points'] = c.dataset.points; } });"
                + " return out;");
    }

    private static Map<String, String> awaitTotals(HeadlessChromium browser, long requests) {
        return browser.await(
                "the totals show " + requests + " requests",
                PAGE_TIMEOUT,
                DashboardBrowserIT::totals,
                t -> Long.toString(requests).equals(t.get("requests")));
    }

    private static Map<String, String> totals(HeadlessChromium browser) {
        return browser.script("return Object.fromEntries([...document.querySelectorAll('[data-total]')]"
                + ".map(d => [d.dataset.total, d.dataset.value]))");
    }

    private static void assertTotals(Map<String, String> page, Totals expected) {
        assertThat(page.get("requests")).isEqualTo(Long.toString(expected.requests()));
        assertThat(page.get("errors")).isEqualTo(Long.toString(expected.errors()));
        assertThat(page.get("timeouts")).isEqualTo(Long.toString(expected.timeouts()));
        assertThat(page.get("tokens")).isEqualTo(expected.promptTokens() + "/" + expected.completionTokens());
        assertThat(new BigDecimal(page.get("estimated_cost_usd")))
                .isCloseTo(expected.cost(), within(new BigDecimal("0.000000001")));
        double p95 = expected.p95();
        assertThat(Double.parseDouble(page.get("p95_latency_ms"))).isCloseTo(p95, within(p95 * 0.01));
    }

    /**
     * The top end users table and the tag picker (the declared key {@code feature} chosen): the ten
     * users (and values) with the highest cost, as the API answers and as the calls sent add up per
     * user (and value), and everyone else.
     */
    private static void assertAttribution(
            HeadlessChromium browser,
            QueryApi query,
            ExpectedMetrics expected,
            Predicate<ExpectedMetrics.Key> which,
            String tenant,
            long from,
            long to)
            throws Exception {
        String ranking = "tenant_id=" + tenant + "&by=cost&limit=10&from=" + Instant.ofEpochMilli(from) + "&to="
                + Instant.ofEpochMilli(to);
        JsonNode users = query.get("/v1/users/top?" + ranking);
        assertRanking(browser, expected.usersOf(which), users.get("users"), "id", "#top-users");
        assertThat(browser.driver.findElement(By.id("top-sessions")).isDisplayed())
                .isTrue();
        JsonNode tags = query.get("/v1/tags/top?key=feature&" + ranking);
        assertRanking(browser, expected.featuresOf(which), tags.get("values"), "value", "#top-tags");
        assertThat(new Select(browser.driver.findElement(By.id("tag-key")))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo("feature");
    }

    /**
     * A ranking by cost (the API's entries and the page's table) against the exact figures per id
     * ("" for none): the ten highest costs in order, their figures, and everyone else.
     */
    private static void assertRanking(
            HeadlessChromium browser, Map<String, long[]> exact, JsonNode entries, String idField, String table) {
        List<String> top = exact.entrySet().stream()
                .sorted(java.util.Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .limit(10)
                .map(Map.Entry::getKey)
                .toList();
        List<String> apiOrder = new java.util.ArrayList<>();
        for (JsonNode user : entries) {
            String id = user.get(idField).isNull() ? "" : user.get(idField).asText();
            apiOrder.add(id);
            assertThat(user.get("exact").asBoolean()).as(id).isTrue();
            assertThat(user.get("requests").asLong()).as(id).isEqualTo(exact.get(id)[1]);
            assertThat(user.get("cost_usd").decimalValue())
                    .as(id)
                    .isEqualByComparingTo(BigDecimal.valueOf(exact.get(id)[0], 9));
        }
        assertThat(apiOrder).as("the ten highest costs, from the calls sent").isEqualTo(top);
        List<Map<String, String>> rows = browser.await(
                table,
                PAGE_TIMEOUT,
                b -> b.<List<Map<String, String>>>script(
                        "return [...document.querySelectorAll('" + table + " tbody tr, " + table
                                + " tfoot tr')].map(tr =>"
                                + " Object.fromEntries([['id', tr.dataset.id]].concat("
                                + "[...tr.querySelectorAll('td[data-col]')].map(td => [td.dataset.col, td.dataset.value]))))"),
                r -> r.size() == top.size() + 1);
        assertThat(rows.subList(0, top.size())).extracting(r -> r.get("id")).isEqualTo(top);
        for (Map<String, String> row : rows.subList(0, top.size())) {
            assertThat(Long.parseLong(row.get("requests"))).isEqualTo(exact.get(row.get("id"))[1]);
        }
        long everyoneElse = exact.entrySet().stream()
                .filter(e -> !top.contains(e.getKey()))
                .mapToLong(e -> e.getValue()[1])
                .sum();
        assertThat(rows.get(top.size()).get("id")).isEqualTo("everyone-else");
        assertThat(Long.parseLong(rows.get(top.size()).get("requests"))).isEqualTo(everyoneElse);
    }

    /** The table: one row per route and model with calls, each equal to the expectation and to the API's. */
    private static void assertTable(
            HeadlessChromium browser,
            QueryApi query,
            ExpectedMetrics expected,
            Predicate<ExpectedMetrics.Key> which,
            String tenant,
            long from,
            long to)
            throws Exception {
        Map<String, Totals> bySeries = new TreeMap<>();
        expected.rows.keySet().stream()
                .filter(which)
                .map(k -> k.route() + "|" + k.model())
                .distinct()
                .forEach(series -> bySeries.put(
                        series, Totals.of(expected, which.and(k -> (k.route() + "|" + k.model()).equals(series)))));
        List<Map<String, String>> rows = browser.await(
                "the table shows " + tenant,
                PAGE_TIMEOUT,
                b -> b.<List<Map<String, String>>>script(
                        "return [...document.querySelectorAll('#series tbody tr')].map(tr => Object.fromEntries("
                                + "[['series', tr.dataset.route + '|' + tr.dataset.model]].concat("
                                + "[...tr.querySelectorAll('td[data-col]')].map(td => [td.dataset.col, td.dataset.value]))))"),
                r -> r.size() == bySeries.size());
        JsonNode api = query.get(
                        "/v1/metrics?tenant_id=" + tenant + "&granularity=all&group_by=route,model&limit=1000&from="
                                + Instant.ofEpochMilli(from) + "&to=" + Instant.ofEpochMilli(to))
                .get("metrics");
        Map<String, JsonNode> apiRows = new TreeMap<>();
        api.forEach(
                r -> apiRows.put(r.get("route").asText() + "|" + r.get("model").asText(), r));
        BigDecimal totalCost = bySeries.values().stream().map(Totals::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(rows).extracting(r -> r.get("series")).containsExactlyInAnyOrderElementsOf(bySeries.keySet());
        List<Long> shown =
                rows.stream().map(r -> Long.parseLong(r.get("requests"))).toList();
        assertThat(shown).as("sorted by requests, most first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        for (Map<String, String> row : rows) {
            Totals want = bySeries.get(row.get("series"));
            JsonNode fromApi = apiRows.get(row.get("series"));
            assertThat(row.get("requests"))
                    .isEqualTo(Long.toString(want.requests()))
                    .isEqualTo(fromApi.get("requests").asText());
            assertThat(row.get("unpriced_requests")).isEqualTo(Long.toString(want.unpriced()));
            assertThat(new BigDecimal(row.get("estimated_cost_usd")))
                    .isCloseTo(want.cost(), within(new BigDecimal("0.000000001")));
            if (want.requests() > 0) {
                assertThat(Double.parseDouble(row.get("error_rate")))
                        .isCloseTo((double) want.errors() / want.requests(), within(1e-12));
                assertThat(Double.parseDouble(row.get("p95_latency_ms")))
                        .isCloseTo(want.p95(), within(want.p95() * 0.01))
                        .isEqualTo(fromApi.get("p95_latency_ms").asDouble());
            }
            if (totalCost.signum() > 0) {
                assertThat(Double.parseDouble(row.get("cost_share")))
                        .isCloseTo(want.cost().doubleValue() / totalCost.doubleValue(), within(1e-9));
            }
        }
    }

    /** "Windows closed up to" is the job's progress, read between two reads of the API. */
    /** acme's budget alert: listed as firing, and marked once on the charts where it fired. */
    private static void assertFiringAlertShown(HeadlessChromium browser, QueryApi query) throws Exception {
        JsonNode firing = query.get("/v1/alerts?tenant_id=acme&state=firing").get("alerts");
        assertThat(firing).as("acme's budget alert fired").hasSize(1);
        String listed = browser.await(
                "the firing alert listed",
                PAGE_TIMEOUT,
                b -> b.driver.findElement(By.id("alerts-firing")).getText(),
                text -> text.contains("acme-budget"));
        assertThat(listed).contains("spend").contains("firing since");
        assertThat(browser.driver.findElement(By.id("alerts")).isDisplayed()).isTrue();
        browser.await(
                "the alert marked on the charts",
                PAGE_TIMEOUT,
                b -> b.<String>script("return document.getElementById('chart-cost').dataset.alertMarks"),
                "1"::equals);
    }

    private static void assertFreshness(HeadlessChromium browser, QueryApi query) throws Exception {
        Instant before = Instant.parse(
                query.get("/v1/progress").get("windows_closed_until").asText());
        browser.driver.navigate().refresh();
        String closed = browser.await(
                "the freshness line",
                PAGE_TIMEOUT,
                b -> b.driver.findElement(By.id("freshness")).getAttribute("data-closed-until"),
                value -> value != null && !value.isEmpty());
        Instant after = Instant.parse(
                query.get("/v1/progress").get("windows_closed_until").asText());
        assertThat(Instant.parse(closed)).isBetween(before, after);
        String text = browser.driver.findElement(By.id("freshness")).getText();
        assertThat(text)
                .startsWith("Windows closed up to " + closed.substring(0, 16).replace('T', ' ') + " UTC");
        assertThat(text).contains("may still change");
    }

    /**
     * No console errors; {@code allowed} names the one kind expected (the 401s of a refused key,
     * which Chromium logs as failed loads).
     */
    private static void assertNoConsoleErrors(HeadlessChromium browser, String allowed) {
        List<LogEntry> errors = browser.console().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .filter(e -> allowed.isEmpty() || !e.getMessage().contains(allowed))
                .toList();
        assertThat(errors).extracting(LogEntry::getMessage).isEmpty();
    }

    private static void awaitRows(QueryApi query, Set<String> tenants, Instant since, ExpectedMetrics expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<String> diffs;
        do {
            Thread.sleep(1000);
            diffs = MetricsComparison.differences(expected, query.windows(tenants, since));
        } while (!diffs.isEmpty() && System.nanoTime() < deadline);
        assertThat(diffs.size() > 40 ? diffs.subList(0, 40) : diffs)
                .as("query API vs the calls sent")
                .isEmpty();
    }

    /** Until every window of the traffic is final (the page then shows values that no longer change). */
    private static void awaitFinal(QueryApi query, long lastWindowEnd) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode progress = query.get("/v1/progress");
            if (progress.hasNonNull("final_until")
                    && Instant.parse(progress.get("final_until").asText()).toEpochMilli() >= lastWindowEnd) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the windows of the traffic did not become final: " + query.get("/v1/progress"));
    }

    private static void awaitFiring(QueryApi query, String tenant) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (query.get("/v1/alerts?state=firing&tenant_id=" + tenant)
                        .get("count")
                        .asInt()
                == 0) {
            assertThat(System.nanoTime())
                    .as("an alert of %s fires within 60 s", tenant)
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static void awaitHealthy(String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(url + "/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the keyed query-service did not start");
    }

    /** The datetime-local form the page's range fields and address use: UTC, minutes. */
    private static String minute(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString().substring(0, 16);
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
