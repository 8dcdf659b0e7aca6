package dev.streamlens.query.attribution;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.streamlens.model.CallTotals;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Tags;
import dev.streamlens.query.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The custom-dimension API on a real PostgreSQL holding rows built as the job builds them (a
 * top_tags summary per row, capped, hours merged from minutes), checked against the exact figures
 * of every tag value computed here from the calls themselves.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TagsIT {

    private static final Instant FIRST = Instant.parse("2025-11-03T10:00:00Z");
    private static final int MINUTES = 120;
    private static final String TENANT = "tags-acme";
    private static final String[] FEATURES = {"search", "chat", "summarize", "translate", "code"};

    record Call(
            String route,
            Instant minute,
            String feature,
            String environment,
            long costNano,
            long tokens,
            boolean failed) {
        String tag(String key) {
            return key.equals("feature") ? feature : environment;
        }
    }

    private final List<Call> calls = new ArrayList<>();

    @BeforeAll
    void writeRows() throws Exception {
        Random random = new Random(34);
        for (int m = 0; m < MINUTES; m++) {
            for (int i = 0; i < 12; i++) {
                int pick = random.nextInt(FEATURES.length + 1);
                calls.add(new Call(
                        random.nextBoolean() ? "chat" : "search",
                        FIRST.plus(m, ChronoUnit.MINUTES),
                        pick == FEATURES.length ? "" : FEATURES[pick], // no value for the key
                        random.nextInt(4) == 0 ? "staging" : "prod",
                        random.nextInt(3_000_000),
                        random.nextInt(2_000),
                        random.nextInt(9) == 0));
            }
        }
        Map<String, List<Call>> bySeriesMinute = new TreeMap<>();
        calls.forEach(c -> bySeriesMinute
                .computeIfAbsent(c.route() + "|" + c.minute(), k -> new ArrayList<>())
                .add(c));
        List<MetricsRow> minutes = new ArrayList<>();
        for (List<Call> group : bySeriesMinute.values()) {
            Contributors tags = Contributors.forRow();
            for (Call c : group) {
                for (String key : List.of("feature", "environment")) {
                    tags.add(Tags.id(key, c.tag(key)), c.costNano(), c.tokens(), c.failed());
                }
            }
            Tags.capValues(tags, Tags.DEFAULT_VALUE_CAP);
            Call first = group.get(0);
            minutes.add(CallTotals.builder()
                    .sum("requests", (long) group.size())
                    .contributors("top_tags", tags)
                    .build()
                    .toRow(
                            TENANT,
                            first.route(),
                            "gpt-4o",
                            first.minute(),
                            first.minute().plusSeconds(60),
                            1,
                            null));
        }
        Map<String, List<MetricsRow>> byHour = new TreeMap<>();
        minutes.forEach(r -> byHour.computeIfAbsent(
                        r.route() + "|" + r.windowStart().truncatedTo(ChronoUnit.HOURS), k -> new ArrayList<>())
                .add(r));
        List<MetricsRow> hours = new ArrayList<>();
        for (List<MetricsRow> group : byHour.values()) {
            Instant hour = group.get(0).windowStart().truncatedTo(ChronoUnit.HOURS);
            hours.add(CallTotals.sum(group)
                    .toRow(TENANT, group.get(0).route(), "gpt-4o", hour, hour.plusSeconds(3600), 1, null));
        }
        insert(MetricsRowJdbc.MINUTES, minutes);
        insert(MetricsRowJdbc.HOURS, hours);
    }

    private static void insert(String table, List<MetricsRow> rows) throws Exception {
        try (Connection c = PostgresTestResource.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(MetricsRowJdbc.insert(table))) {
            for (MetricsRow r : rows) {
                MetricsRowJdbc.bind(ps, r);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Exact figures per value of a key (no value as ""): cost in nano-dollars, requests, tokens, errors. */
    private Map<String, long[]> exact(String key, Predicate<Call> which) {
        Map<String, long[]> exact = new HashMap<>();
        for (Call c : calls) {
            if (which.test(c)) {
                long[] f = exact.computeIfAbsent(c.tag(key), v -> new long[4]);
                f[0] += c.costNano();
                f[1]++;
                f[2] += c.tokens();
                f[3] += c.failed() ? 1 : 0;
            }
        }
        return exact;
    }

    private static Predicate<Call> between(Instant from, Instant to) {
        return c -> !c.minute().isBefore(from) && c.minute().isBefore(to);
    }

    private static JsonPath get(String path, Map<String, Object> params) {
        String body = given().queryParams(params)
                .when()
                .get(path)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return JsonPath.from(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    private static void assertFigures(Map<String, Object> answer, long[] truth, String what) {
        assertThat(answer.get("exact")).as(what).isEqualTo(true);
        assertThat(new BigDecimal(answer.get("cost_usd").toString()))
                .as(what)
                .isEqualByComparingTo(BigDecimal.valueOf(truth[0], 9));
        assertThat(new long[] {
                    ((Number) answer.get("requests")).longValue(),
                    ((Number) answer.get("tokens")).longValue(),
                    ((Number) answer.get("errors")).longValue()
                })
                .as(what)
                .containsExactly(truth[1], truth[2], truth[3]);
    }

    @Test
    void theKeysAreTheDeclaredOnesWithTheirCountOfValues() {
        JsonPath answer = get(
                "/v1/tags/keys",
                Map.of(
                        "tenant_id",
                        TENANT,
                        "from",
                        FIRST.toString(),
                        "to",
                        FIRST.plusSeconds(7200).toString()));
        assertThat(answer.getList("keys"))
                .containsExactly(Map.of("key", "environment", "values", 2), Map.of("key", "feature", "values", 5));
    }

    @Test
    void aKeysValuesAreRankedWithExactFiguresAndAddUpToEveryCall() {
        // whole hours (the hourly rows) and minutes 13 to 101 of one route (the minute rows)
        for (var range : List.of(
                List.of(FIRST, FIRST.plusSeconds(7200), ""),
                List.of(FIRST.plusSeconds(13 * 60), FIRST.plusSeconds(101 * 60), "search"))) {
            Instant from = (Instant) range.get(0);
            Instant to = (Instant) range.get(1);
            String route = (String) range.get(2);
            Map<String, long[]> exact = exact(
                    "feature",
                    between(from, to).and(c -> route.isEmpty() || c.route().equals(route)));
            Map<String, Object> params = new HashMap<>(Map.of(
                    "tenant_id",
                    TENANT,
                    "key",
                    "feature",
                    "from",
                    from.toString(),
                    "to",
                    to.toString(),
                    "by",
                    "requests",
                    "limit",
                    3));
            if (!route.isEmpty()) {
                params.put("route", route);
            }
            JsonPath answer = get("/v1/tags/top", params);
            List<Map<String, Object>> values = answer.getList("values");
            List<String> expectedOrder = exact.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                    .map(Map.Entry::getKey)
                    .limit(3)
                    .toList();
            assertThat(values)
                    .extracting(v -> v.get("value") == null ? "" : (String) v.get("value"))
                    .as(range.toString())
                    .containsExactlyElementsOf(expectedOrder);
            long[] all = new long[4];
            long[] listed = new long[4];
            for (var e : exact.entrySet()) {
                for (int f = 0; f < 4; f++) {
                    all[f] += e.getValue()[f];
                    listed[f] += expectedOrder.contains(e.getKey()) ? e.getValue()[f] : 0;
                }
            }
            for (Map<String, Object> v : values) {
                assertFigures(v, exact.get(v.get("value") == null ? "" : (String) v.get("value")), range + " " + v);
            }
            assertThat(((Number) answer.getMap("totals").get("requests")).longValue())
                    .as("every call of the range once")
                    .isEqualTo(all[1])
                    .isEqualTo(calls.stream()
                            .filter(between(from, to)
                                    .and(c -> route.isEmpty() || c.route().equals(route)))
                            .count());
            assertThat(((Number) answer.getMap("everyone_else").get("requests")).longValue())
                    .isEqualTo(all[1] - listed[1]);
            assertThat(new BigDecimal(
                            answer.getMap("everyone_else").get("cost_usd").toString()))
                    .isEqualByComparingTo(BigDecimal.valueOf(all[0] - listed[0], 9));
        }
    }

    @Test
    void oneValuesFiguresPerBucketAndGroupByTagOnTheMetrics() {
        JsonPath figures = get(
                "/v1/tags/figures",
                Map.of(
                        "tenant_id",
                        TENANT,
                        "key",
                        "feature",
                        "value",
                        "chat",
                        "from",
                        FIRST.toString(),
                        "to",
                        FIRST.plusSeconds(7200).toString(),
                        "granularity",
                        "1h"));
        List<Map<String, Object>> buckets = figures.getList("buckets");
        assertThat(buckets).hasSize(2);
        for (int h = 0; h < 2; h++) {
            Instant start = FIRST.plusSeconds(3600L * h);
            assertThat(buckets.get(h).get("window_start")).isEqualTo(start.toString());
            assertFigures(
                    buckets.get(h),
                    exact("feature", between(start, start.plusSeconds(3600))).get("chat"),
                    "hour " + h);
        }

        Instant from = FIRST.plusSeconds(30 * 60);
        Instant to = FIRST.plusSeconds(75 * 60);
        JsonPath grouped = get(
                "/v1/metrics",
                Map.of(
                        "tenant_id",
                        TENANT,
                        "group_by",
                        "tag:environment",
                        "granularity",
                        "15m",
                        "from",
                        from.toString(),
                        "to",
                        to.toString()));
        List<Map<String, Object>> rows = grouped.getList("metrics");
        assertThat(rows).hasSize(3 * 2); // three quarters, two environments
        assertThat(rows.get(0).get("window_start"))
                .as("newest first")
                .isEqualTo(to.minusSeconds(900).toString());
        for (Map<String, Object> row : rows) {
            Instant start = Instant.parse((String) row.get("window_start"));
            assertThat(row.get("tag_key")).isEqualTo("environment");
            assertFigures(
                    row,
                    exact("environment", between(start, start.plusSeconds(900))).get((String) row.get("tag_value")),
                    row.toString());
        }
        JsonPath staging = get(
                "/v1/metrics",
                Map.of(
                        "tenant_id",
                        TENANT,
                        "group_by",
                        "tag:environment",
                        "tag_value",
                        "staging",
                        "granularity",
                        "all",
                        "from",
                        from.toString(),
                        "to",
                        to.toString()));
        assertThat(staging.getList("metrics")).hasSize(1);
        assertFigures(
                staging.getMap("metrics[0]"),
                exact("environment", between(from, to)).get("staging"),
                "all");
    }

    @Test
    void aQuestionWithoutAKeyOrWithAWrongOneIsRefusedNamingTheField() {
        given().queryParam("tenant_id", TENANT)
                .get("/v1/tags/top")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("key"));
        given().queryParams(Map.of("tenant_id", TENANT, "key", "a=b"))
                .get("/v1/tags/top")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("key"));
        given().queryParams(Map.of("tenant_id", TENANT, "group_by", "tag:"))
                .get("/v1/metrics")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("key"));
        given().queryParams(Map.of("tenant_id", TENANT, "key", "feature"))
                .get("/v1/tags/figures")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("value"));
    }
}
