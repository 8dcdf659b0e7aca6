package dev.streamlens.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The query API on a real PostgreSQL holding rows written the way the job writes them. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsQueryIT {

    private static final Instant FIRST = Instant.parse("2025-11-19T22:30:00Z");
    private static final int MINUTES = 240;
    private List<MetricsFixture.Minute> acme;

    @io.quarkus.test.common.http.TestHTTPResource("/v1/metrics")
    java.net.URI endpoint;

    @BeforeAll
    void writeRows() throws Exception {
        // Doubles as doubles (RestAssured reads JSON decimals as floats by default).
        io.restassured.RestAssured.config = io.restassured.RestAssured.config()
                .jsonConfig(io.restassured.config.JsonConfig.jsonConfig()
                        .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));
        acme = MetricsFixture.generate(
                1,
                "acme",
                new String[] {"chat", "search"},
                new String[] {"gpt-4o", "claude-3-5-sonnet"},
                FIRST,
                MINUTES);
        MetricsFixture.write(PostgresTestResource.dataSource(), acme);
        MetricsFixture.write(
                PostgresTestResource.dataSource(),
                MetricsFixture.generate(2, "globex", new String[] {"chat"}, new String[] {"gpt-4o"}, FIRST, 30));
    }

    @Test
    void seedCallReturnsTheLatest60RowsNewestFirstInTheOriginalShape() {
        JsonPath body = given().queryParam("tenant_id", "acme")
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("count")).isEqualTo(60);
        List<Map<String, Object>> rows = body.getList("metrics");
        assertThat(rows).hasSize(60);
        List<String> starts =
                rows.stream().map(r -> (String) r.get("window_start")).toList();
        assertThat(starts).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(starts.get(0))
                .isEqualTo(FIRST.plusSeconds(60L * (MINUTES - 1)).toString());
        assertThat(rows.get(0))
                .containsKeys(
                        "tenant_id",
                        "route",
                        "model",
                        "window_start",
                        "window_end",
                        "requests",
                        "errors",
                        "avg_latency_ms",
                        "p95_latency_ms",
                        "avg_prompt_tokens",
                        "avg_completion_tokens",
                        "estimated_cost_usd",
                        "timeouts",
                        "p50_latency_ms",
                        "p99_latency_ms",
                        "total_prompt_tokens",
                        "total_completion_tokens",
                        "unpriced_requests",
                        "revision")
                .doesNotContainKey("latency_sketch");
        assertThat(rows).allSatisfy(r -> assertThat(r.get("tenant_id")).isEqualTo("acme"));
    }

    /** The latest rows are looked for in the last day first, then further back: the answer never changes. */
    @Test
    void theSeedCallFindsTheNewestRowsWhereverTheyLie() throws Exception {
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        List<MetricsFixture.Minute> recent = MetricsFixture.generate(
                3,
                "spread",
                new String[] {"chat"},
                new String[] {"gpt-4o"},
                now.minus(Duration.ofHours(2)),
                3); // within the last day
        List<MetricsFixture.Minute> weeksAgo = MetricsFixture.generate(
                4,
                "spread",
                new String[] {"chat"},
                new String[] {"gpt-4o"},
                now.minus(Duration.ofDays(10)),
                2); // within 36 days
        List<MetricsFixture.Minute> longAgo = MetricsFixture.generate(
                5,
                "spread",
                new String[] {"chat"},
                new String[] {"gpt-4o"},
                now.minus(Duration.ofDays(100)),
                2); // further back
        for (List<MetricsFixture.Minute> minutes : List.of(recent, weeksAgo, longAgo)) {
            MetricsFixture.write(PostgresTestResource.dataSource(), minutes);
        }
        List<String> newestFirst = java.util.stream.Stream.of(recent, weeksAgo, longAgo)
                .flatMap(List::stream)
                .map(m -> m.start().toString())
                .sorted(java.util.Comparator.reverseOrder())
                .toList();
        for (int limit : new int[] {2, 3, 4, 6, 10}) {
            List<String> starts = given().queryParam("tenant_id", "spread")
                    .queryParam("limit", limit)
                    .when()
                    .get("/v1/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("metrics.window_start", String.class);
            assertThat(starts)
                    .as("limit %d", limit)
                    .containsExactlyElementsOf(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
        }
    }

    @Test
    void filtersAndLimitNarrowTheSeedCall() {
        JsonPath body = given().queryParam("tenant_id", "acme")
                .queryParam("route", "chat")
                .queryParam("model", "gpt-4o")
                .queryParam("limit", 10)
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("count")).isEqualTo(10);
        assertThat(body.getList("metrics.route", String.class)).containsOnly("chat");
        assertThat(body.getList("metrics.model", String.class)).containsOnly("gpt-4o");
        MetricsFixture.Minute latest = acme.stream()
                .filter(m -> m.route().equals("chat") && m.model().equals("gpt-4o"))
                .max(Comparator.comparing(MetricsFixture.Minute::start))
                .orElseThrow();
        assertThat(body.getLong("metrics[0].requests"))
                .isEqualTo(latest.latencies().size());
        assertThat(body.getLong("metrics[0].errors")).isEqualTo(latest.errors());
    }

    @Test
    void aRangeReturnsOnlyItsWindows() {
        Instant from = FIRST.plusSeconds(600);
        Instant to = FIRST.plusSeconds(900);
        JsonPath body = given().queryParam("tenant_id", "acme")
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .queryParam("limit", 1000)
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("count")).isEqualTo(5 * 4);
        assertThat(body.getList("metrics.window_start", String.class))
                .allSatisfy(s -> assertThat(Instant.parse(s)).isBetween(from, to.minusSeconds(60)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1m", "5m", "15m", "1h", "1d"})
    void everyGranularitySumsCountsAndMergesSketches(String granularity) {
        Duration size = switch (granularity) {
            case "1m" -> Duration.ofMinutes(1);
            case "5m" -> Duration.ofMinutes(5);
            case "15m" -> Duration.ofMinutes(15);
            case "1h" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
        };
        Instant from = Instant.parse("2025-11-19T00:00:00Z");
        Instant to = Instant.parse("2025-11-21T00:00:00Z");
        JsonPath body = given().queryParam("tenant_id", "acme")
                .queryParam("granularity", granularity)
                .queryParam("group_by", "none")
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .queryParam("limit", 1000)
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();

        Map<Instant, List<MetricsFixture.Minute>> expected = acme.stream()
                .collect(Collectors.groupingBy(m -> Instant.ofEpochMilli(
                        Math.floorDiv(m.start().toEpochMilli(), size.toMillis()) * size.toMillis())));
        List<Map<String, Object>> rows = body.getList("metrics");
        assertThat(rows).hasSize(expected.size());
        for (int i = 0; i < rows.size(); i++) {
            Instant bucket = Instant.parse(body.getString("metrics[" + i + "].window_start"));
            List<MetricsFixture.Minute> minutes = expected.get(bucket);
            assertThat(minutes).as("bucket %s", bucket).isNotNull();
            List<Double> latencies = new ArrayList<>();
            minutes.forEach(m -> latencies.addAll(m.latencies()));
            String at = "metrics[" + i + "].";
            assertThat(body.getString(at + "window_end"))
                    .isEqualTo(bucket.plus(size).toString());
            assertThat(body.getLong(at + "requests")).isEqualTo(latencies.size());
            assertThat(body.getLong(at + "errors"))
                    .isEqualTo(minutes.stream()
                            .mapToLong(MetricsFixture.Minute::errors)
                            .sum());
            assertThat(body.getLong(at + "timeouts"))
                    .isEqualTo(minutes.stream()
                            .mapToLong(MetricsFixture.Minute::timeouts)
                            .sum());
            long prompt = minutes.stream()
                    .mapToLong(MetricsFixture.Minute::promptTokens)
                    .sum();
            assertThat(body.getLong(at + "total_prompt_tokens")).isEqualTo(prompt);
            assertThat(new BigDecimal(body.getString(at + "estimated_cost_usd")))
                    .isEqualByComparingTo(
                            minutes.stream().map(MetricsFixture.Minute::cost).reduce(BigDecimal.ZERO, BigDecimal::add));
            double mean = latencies.stream().mapToDouble(Double::doubleValue).sum() / latencies.size();
            assertThat(body.getDouble(at + "avg_latency_ms")).isCloseTo(mean, within(mean * 1e-9));
            assertThat(body.getDouble(at + "avg_prompt_tokens"))
                    .isCloseTo((double) prompt / latencies.size(), within(1e-9));
            for (String q : new String[] {"50", "95", "99"}) {
                double exact = MetricsFixture.nearestRank(latencies, Integer.parseInt(q) / 100.0);
                assertThat(body.getDouble(at + "p" + q + "_latency_ms"))
                        .as("p%s of %s", q, bucket)
                        .isCloseTo(exact, within(exact * 0.01));
            }
        }
        List<String> starts = body.getList("metrics.window_start", String.class);
        assertThat(starts).isSortedAccordingTo(Comparator.reverseOrder());
    }

    /** A table over a range: one bucket per route and model, from the hours or (when not whole hours) the minutes. */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-19T23:00:00Z/2025-11-20T02:00:00Z", "2025-11-19T22:47:00Z/2025-11-20T01:13:30Z"})
    void granularityAllIsOneBucketPerGroupOverTheWholeRange(String range) {
        Instant from = Instant.parse(range.split("/")[0]);
        Instant to = Instant.parse(range.split("/")[1]);
        Instant wholeMinutesTo = Instant.ofEpochSecond(-Math.floorDiv(-to.getEpochSecond(), 60) * 60);
        JsonPath body = given().queryParam("tenant_id", "acme")
                .queryParam("granularity", "all")
                .queryParam("group_by", "route,model")
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .body("truncated", equalTo(false))
                .extract()
                .jsonPath();

        Map<String, List<MetricsFixture.Minute>> expected = acme.stream()
                .filter(m -> !m.start().isBefore(from) && m.start().isBefore(wholeMinutesTo))
                .collect(Collectors.groupingBy(m -> m.route() + "|" + m.model()));
        List<Map<String, Object>> rows = body.getList("metrics");
        assertThat(rows).hasSize(expected.size()).hasSize(4);
        for (Map<String, Object> row : rows) {
            List<MetricsFixture.Minute> minutes = expected.get(row.get("route") + "|" + row.get("model"));
            List<Double> latencies = new ArrayList<>();
            minutes.forEach(m -> latencies.addAll(m.latencies()));
            assertThat(row.get("window_start")).isEqualTo(from.toString());
            assertThat(row.get("window_end")).isEqualTo(wholeMinutesTo.toString());
            assertThat(((Number) row.get("requests")).longValue()).isEqualTo(latencies.size());
            assertThat(new BigDecimal(String.valueOf(row.get("estimated_cost_usd"))))
                    .isEqualByComparingTo(
                            minutes.stream().map(MetricsFixture.Minute::cost).reduce(BigDecimal.ZERO, BigDecimal::add));
            double p95 = MetricsFixture.nearestRank(latencies, 0.95);
            assertThat(((Number) row.get("p95_latency_ms")).doubleValue()).isCloseTo(p95, within(p95 * 0.01));
        }
    }

    @Test
    void withoutPercentilesARollupHasTheSameSumsAndNoPercentiles() {
        Map<String, String> range = Map.of(
                "tenant_id",
                "acme",
                "granularity",
                "1h",
                "group_by",
                "route,model",
                "from",
                "2025-11-19T22:00:00Z",
                "to",
                "2025-11-20T03:00:00Z");
        List<Map<String, Object>> full =
                given().queryParams(range).get("/v1/metrics").jsonPath().getList("metrics");
        List<Map<String, Object>> counts = given().queryParams(range)
                .queryParam("percentiles", "false")
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("metrics");
        assertThat(counts).hasSameSizeAs(full).isNotEmpty();
        for (int i = 0; i < full.size(); i++) {
            for (String sum : List.of(
                    "window_start",
                    "route",
                    "model",
                    "requests",
                    "errors",
                    "timeouts",
                    "total_prompt_tokens",
                    "estimated_cost_usd",
                    "avg_latency_ms")) {
                assertThat(counts.get(i).get(sum)).as(sum).isEqualTo(full.get(i).get(sum));
            }
            assertThat(full.get(i).get("p95_latency_ms")).isNotNull();
            assertThat(counts.get(i).get("p95_latency_ms")).isNull();
        }
        given().queryParams(range)
                .queryParam("percentiles", "maybe")
                .get("/v1/metrics")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("percentiles"));
    }

    @Test
    void aRollupThatHitsItsRowLimitSaysSoAndWhereToContinueNeverCuttingABucket() {
        String from = FIRST.toString();
        String to = FIRST.plusSeconds(60L * MINUTES).toString();
        JsonPath all = given().queryParam("tenant_id", "acme")
                .queryParam("granularity", "15m")
                .queryParam("from", from)
                .queryParam("to", to)
                .queryParam("limit", 1000)
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(all.getBoolean("truncated")).isFalse();
        assertThat(all.getString("next_to")).isNull();
        List<String> expected = all.getList("metrics", Map.class).stream()
                .map(r -> r.get("window_start") + "|" + r.get("route") + "|" + r.get("model") + "|" + r.get("requests"))
                .toList();
        assertThat(expected).hasSize(16 * 4); // 16 quarters of 4 series

        // Ten rows a page: 2 whole buckets of 4 series each, then the next page from where this one stopped.
        List<String> paged = new ArrayList<>();
        String pageTo = to;
        for (int page = 0; page < 20; page++) {
            JsonPath body = given().queryParam("tenant_id", "acme")
                    .queryParam("granularity", "15m")
                    .queryParam("from", from)
                    .queryParam("to", pageTo)
                    .queryParam("limit", 10)
                    .when()
                    .get("/v1/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            List<Map> rows = body.getList("metrics", Map.class);
            assertThat(rows.size() % 4).as("whole buckets only").isZero();
            rows.forEach(r -> paged.add(
                    r.get("window_start") + "|" + r.get("route") + "|" + r.get("model") + "|" + r.get("requests")));
            if (!body.getBoolean("truncated")) {
                break;
            }
            assertThat(rows).hasSize(8);
            pageTo = body.getString("next_to");
        }
        assertThat(paged).containsExactlyElementsOf(expected);
    }

    @Test
    void groupByModelGivesCostPerModel() {
        JsonPath body = given().queryParam("tenant_id", "acme")
                .queryParam("granularity", "1d")
                .queryParam("group_by", "model")
                .queryParam("from", "2025-11-19T00:00:00Z")
                .queryParam("to", "2025-11-21T00:00:00Z")
                .when()
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("count")).isEqualTo(4); // 2 days x 2 models
        for (int i = 0; i < 4; i++) {
            String model = body.getString("metrics[" + i + "].model");
            Instant day = Instant.parse(body.getString("metrics[" + i + "].window_start"));
            BigDecimal expected = acme.stream()
                    .filter(m -> m.model().equals(model)
                            && !m.start().isBefore(day)
                            && m.start().isBefore(day.plus(Duration.ofDays(1))))
                    .map(MetricsFixture.Minute::cost)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(new BigDecimal(body.getString("metrics[" + i + "].estimated_cost_usd")))
                    .isEqualByComparingTo(expected);
            assertThat(body.getMap("metrics[" + i + "]")).doesNotContainKey("route");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "limit=5",
                "tenant_id=",
                "tenant_id=acme&limit=abc",
                "tenant_id=acme&limit=-1",
                "tenant_id=acme&limit=0",
                "tenant_id=acme&limit=5000",
                "tenant_id=acme&from=2025-11-20T10:00:00Z&to=2025-11-20T09:00:00Z",
                "tenant_id=acme&granularity=2m",
                "tenant_id=acme&group_by=tenant",
                "tenant_id=acme&route=",
                "tenant_id=acme&from=yesterday",
                "tenant_id=acme&from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z"
            })
    void badParametersGetA400SayingWhatIsWrong(String query) throws Exception {
        // Sent as written (RestAssured would drop a parameter with an empty value).
        var answer = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint + "?" + query))
                                .GET()
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(query).isEqualTo(400);
        JsonPath body = new JsonPath(answer.body());
        assertThat(body.getString("error")).isNotBlank();
        assertThat(body.getList("errors")).isNotEmpty();
    }

    @Test
    void missingTenantIsNamed() {
        given().when()
                .get("/v1/metrics")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("tenant_id"))
                .body("error", equalTo("tenant_id is required"));
    }

    @Test
    void sqlInjectionStringsAreJustValuesThatMatchNothing() throws Exception {
        for (String evil : new String[] {"acme' OR '1'='1", "acme'; DROP TABLE llm_metrics; --", "%", "acme\\"}) {
            given().queryParam("tenant_id", evil)
                    .when()
                    .get("/v1/metrics")
                    .then()
                    .statusCode(200)
                    .body("count", equalTo(0));
            given().queryParam("tenant_id", "acme")
                    .queryParam("model", evil)
                    .queryParam("granularity", "1h")
                    .when()
                    .get("/v1/metrics")
                    .then()
                    .statusCode(200)
                    .body("count", equalTo(0));
        }
        try (Connection c = PostgresTestResource.dataSource().getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*) FROM llm_metrics WHERE tenant_id IN ('acme', 'globex')")) {
            rs.next();
            assertThat(rs.getLong(1))
                    .as("this class's rows (other classes share the database)")
                    .isEqualTo(acme.size() + 30);
        }
    }

    @Test
    void progressSaysWhichWindowsHaveFiredAndEveryRowSaysWhetherItIsFinal() throws Exception {
        sql("DELETE FROM pipeline_progress");
        given().get("/v1/progress")
                .then()
                .statusCode(200)
                .body("watermark", org.hamcrest.Matchers.nullValue())
                .body("message", equalTo("the job has not committed results yet"));
        assertThat(given().queryParam("tenant_id", "acme")
                        .get("/v1/metrics")
                        .jsonPath()
                        .getList("metrics", Map.class))
                .allSatisfy(row -> assertThat(row).doesNotContainKey("final"));

        // As the job writes it: its watermark 9.5 minutes before the newest window's end, 2 minutes' lateness.
        Instant newestEnd = FIRST.plusSeconds(60L * MINUTES);
        long watermark = newestEnd.minusSeconds(570).toEpochMilli() - 1;
        long lateness = 120_000;
        sql(
                "INSERT INTO pipeline_progress (pipeline, watermark_ms, window_ms, allowed_lateness_ms) VALUES ('streamlens', "
                        + watermark + ", 60000, " + lateness + ")");
        try {
            JsonPath progress =
                    given().get("/v1/progress").then().statusCode(200).extract().jsonPath();
            assertThat(progress.getString("watermark"))
                    .isEqualTo(Instant.ofEpochMilli(watermark).toString());
            // fired: every window ending at or before watermark + 1 ms, i.e. up to 10 minutes before the newest end
            assertThat(progress.getString("windows_closed_until"))
                    .isEqualTo(newestEnd.minusSeconds(600).toString());
            // final: also the lateness has passed, i.e. window end + 2 min <= watermark + 1 ms
            assertThat(progress.getString("final_until"))
                    .isEqualTo(newestEnd.minusSeconds(720).toString());
            assertThat(progress.getLong("allowed_lateness_seconds")).isEqualTo(120);

            List<Map<String, Object>> rows = given().queryParam("tenant_id", "acme")
                    .queryParam("limit", 60)
                    .get("/v1/metrics")
                    .jsonPath()
                    .getList("metrics");
            assertThat(rows)
                    .allSatisfy(row -> assertThat(row.get("final"))
                            .isEqualTo(Instant.parse((String) row.get("window_end"))
                                                    .toEpochMilli()
                                            + lateness
                                    <= watermark + 1));
            assertThat(rows)
                    .anySatisfy(row -> assertThat(row.get("final")).isEqualTo(true))
                    .anySatisfy(row -> assertThat(row.get("final")).isEqualTo(false));
            List<Map<String, Object>> hours = given().queryParam("tenant_id", "acme")
                    .queryParam("granularity", "1h")
                    .queryParam("group_by", "none")
                    .queryParam("from", FIRST.toString())
                    .queryParam("to", newestEnd.toString())
                    .get("/v1/metrics")
                    .jsonPath()
                    .getList("metrics");
            assertThat(hours)
                    .allSatisfy(row -> assertThat(row.get("final"))
                            .isEqualTo(Instant.parse((String) row.get("window_end"))
                                                    .toEpochMilli()
                                            + lateness
                                    <= watermark + 1));
            assertThat(hours.get(0).get("final"))
                    .as("the newest hour is still open")
                    .isEqualTo(false);
            assertThat(hours.get(hours.size() - 1).get("final")).isEqualTo(true);
        } finally {
            sql("DELETE FROM pipeline_progress");
        }
    }

    @Test
    void theTenantPickerListsEveryTenantWithResultsInNameOrder() {
        List<String> tenants = given().get("/v1/tenants")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tenants", String.class);
        assertThat(tenants).contains("acme", "globex").isSorted().doesNotHaveDuplicates();
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = PostgresTestResource.dataSource().getConnection()) {
            c.createStatement().executeUpdate(statement);
        }
    }

    @Test
    void healthAndQuarkusEndpointsAnswer() {
        given().when().get("/health").then().statusCode(200).body("status", equalTo("healthy"));
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200);
        given().when().delete("/v1/metrics").then().statusCode(405);
    }
}
