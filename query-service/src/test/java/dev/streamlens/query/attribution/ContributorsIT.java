package dev.streamlens.query.attribution;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.streamlens.model.CallTotals;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.query.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The end-user and session API on a real PostgreSQL holding rows built as the job builds them
 * (a summary per row from its calls, hours merged from minutes), checked against the exact
 * figures of every user and session computed here from the calls themselves.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContributorsIT {

    private static final Instant FIRST = Instant.parse("2025-10-01T09:00:00Z");
    private static final int MINUTES = 180;
    private static final String TENANT = "attr-acme";
    private static final String CROWD = "attr-crowd";
    /** The same calls as TENANT's, for the deletion to change without disturbing the other tests. */
    private static final String FORGETFUL = "attr-forget";

    record Call(
            String route,
            String model,
            Instant minute,
            String user,
            String session,
            long costNano,
            long tokens,
            boolean failed) {}

    private final List<Call> calls = new ArrayList<>();
    /** Calls per user of the crowded tenant. */
    private final Map<String, Long> crowdCalls = new HashMap<>();

    @BeforeAll
    void writeRows() throws Exception {
        Random random = new Random(33);
        String[] routes = {"chat", "search"};
        String[] models = {"gpt-4o", "claude"};
        for (int m = 0; m < MINUTES; m++) {
            Instant minute = FIRST.plus(m, ChronoUnit.MINUTES);
            for (int i = 0; i < 25; i++) {
                // skewed: user-k with probability ~ 1/k over 60 users; one call in eight without a user
                int k = (int) Math.floor(Math.pow(61, random.nextDouble()));
                String user = random.nextInt(8) == 0 ? null : "user-" + k;
                // each user works in sessions of 20 minutes
                String session = user == null ? null : user + "/s" + (m / 20);
                calls.add(new Call(
                        routes[random.nextInt(2)],
                        models[random.nextInt(2)],
                        minute,
                        user,
                        session,
                        random.nextInt(2_000_000),
                        random.nextInt(3_000),
                        random.nextInt(12) == 0));
            }
        }
        write(calls, TENANT);
        write(calls, FORGETFUL);
        // A tenant with 5,000 users in one minute of one series: far beyond a row's summary.
        List<Call> crowd = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String fan = "fan-" + (int) Math.floor(Math.pow(5_001, random.nextDouble()));
            crowd.add(new Call("chat", "gpt-4o", FIRST, fan, null, 1_000, 10, false));
            crowdCalls.merge(fan, 1L, Long::sum);
        }
        write(crowd, CROWD);
    }

    /** One row per series and minute with its summaries, and the hours merged from them (as the job's committer). */
    private static void write(List<Call> calls, String tenant) throws Exception {
        Map<String, List<Call>> bySeriesMinute = new TreeMap<>();
        for (Call c : calls) {
            bySeriesMinute
                    .computeIfAbsent(c.route() + "|" + c.model() + "|" + c.minute(), k -> new ArrayList<>())
                    .add(c);
        }
        List<MetricsRow> minutes = new ArrayList<>();
        for (List<Call> group : bySeriesMinute.values()) {
            Contributors users = Contributors.forRow();
            Contributors sessions = Contributors.forRow();
            long cost = 0;
            long tokens = 0;
            long errors = 0;
            for (Call c : group) {
                users.add(c.user(), c.costNano(), c.tokens(), c.failed());
                sessions.add(c.session(), c.costNano(), c.tokens(), c.failed());
                cost += c.costNano();
                tokens += c.tokens();
                errors += c.failed() ? 1 : 0;
            }
            Call first = group.get(0);
            minutes.add(CallTotals.builder()
                    .sum("requests", (long) group.size())
                    .sum("errors", errors)
                    .sum("total_prompt_tokens", tokens)
                    .sum("estimated_cost_usd", BigDecimal.valueOf(cost, 9))
                    .contributors("top_users", users)
                    .contributors("top_sessions", sessions)
                    .build()
                    .toRow(
                            tenant,
                            first.route(),
                            first.model(),
                            first.minute(),
                            first.minute().plusSeconds(60),
                            1,
                            null));
        }
        Map<String, List<MetricsRow>> byHour = new TreeMap<>();
        for (MetricsRow r : minutes) {
            byHour.computeIfAbsent(
                            r.route() + "|" + r.model() + "|" + r.windowStart().truncatedTo(ChronoUnit.HOURS),
                            k -> new ArrayList<>())
                    .add(r);
        }
        List<MetricsRow> hours = new ArrayList<>();
        for (List<MetricsRow> group : byHour.values()) {
            MetricsRow first = group.get(0);
            Instant hour = first.windowStart().truncatedTo(ChronoUnit.HOURS);
            hours.add(CallTotals.sum(group)
                    .toRow(tenant, first.route(), first.model(), hour, hour.plusSeconds(3600), 1, null));
        }
        insert("llm_metrics", minutes);
        insert("llm_metrics_hourly", hours);
    }

    private static void insert(String table, List<MetricsRow> rows) throws Exception {
        try (Connection c = PostgresTestResource.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(dev.streamlens.model.MetricsRowJdbc.insert(table))) {
            for (MetricsRow r : rows) {
                dev.streamlens.model.MetricsRowJdbc.bind(ps, r);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Exact figures per id (null as ""): cost in nano-dollars, requests, tokens, errors; plus first and last minute. */
    private Map<String, long[]> exact(boolean bySession, Instant from, Instant to, String route) {
        Map<String, long[]> exact = new HashMap<>();
        for (Call c : calls) {
            if (c.minute().isBefore(from) || !c.minute().isBefore(to) || (route != null && !route.equals(c.route()))) {
                continue;
            }
            String id = bySession ? c.session() : c.user();
            long[] f = exact.computeIfAbsent(id == null ? "" : id, i -> new long[] {0, 0, 0, 0, Long.MAX_VALUE, 0});
            f[0] += c.costNano();
            f[1]++;
            f[2] += c.tokens();
            f[3] += c.failed() ? 1 : 0;
            f[4] = Math.min(f[4], c.minute().toEpochMilli());
            f[5] = Math.max(f[5], c.minute().plusSeconds(60).toEpochMilli());
        }
        return exact;
    }

    private static String dollars(long nano) {
        BigDecimal value = BigDecimal.valueOf(nano, 9).stripTrailingZeros();
        return (value.scale() < 0 ? value.setScale(0) : value).toPlainString();
    }

    /** The answer, its decimals read as BigDecimal (costs are exact to the nano-dollar). */
    private static JsonPath get(String path, Map<String, Object> params) {
        String body = given().queryParams(params)
                .when()
                .get(path)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return JsonPath.from(body)
                .using(new io.restassured.path.json.config.JsonPathConfig(
                        io.restassured.path.json.config.JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    @Test
    void theTopUsersByEachFigureAreTheExactTopWithTheirExactFiguresAndEveryoneElse() {
        // minutes 7 to 133: not whole hours, so read from the minute rows
        Instant from = FIRST.plus(7, ChronoUnit.MINUTES);
        Instant to = FIRST.plus(133, ChronoUnit.MINUTES);
        Map<String, long[]> exact = exact(false, from, to, null);
        String[] by = {"cost", "requests", "tokens", "errors"};
        for (int f = 0; f < by.length; f++) {
            int figure = f;
            JsonPath answer = get(
                    "/v1/users/top",
                    Map.of("tenant_id", TENANT, "from", from.toString(), "to", to.toString(), "by", by[f], "limit", 8));
            List<Map<String, Object>> users = answer.getList("users");
            assertThat(users).hasSize(8);
            List<Long> expectedOrder = exact.values().stream()
                    .map(x -> x[figure])
                    .sorted(Comparator.reverseOrder())
                    .limit(8)
                    .toList();
            long[] listed = new long[4];
            List<Long> got = new ArrayList<>();
            for (Map<String, Object> u : users) {
                long[] truth = exact.get(u.get("id") == null ? "" : (String) u.get("id"));
                assertThat(u.get("exact")).isEqualTo(true);
                assertThat(new BigDecimal(u.get("cost_usd").toString())).isEqualByComparingTo(dollars(truth[0]));
                assertThat(((Number) u.get("requests")).longValue()).isEqualTo(truth[1]);
                assertThat(((Number) u.get("tokens")).longValue()).isEqualTo(truth[2]);
                assertThat(((Number) u.get("errors")).longValue()).isEqualTo(truth[3]);
                got.add(truth[figure]);
                for (int i = 0; i < 4; i++) {
                    listed[i] += truth[i];
                }
            }
            assertThat(got).as("the top by %s", by[f]).isEqualTo(expectedOrder);
            long[] totals = new long[4];
            exact.values().forEach(x -> {
                for (int i = 0; i < 4; i++) {
                    totals[i] += x[i];
                }
            });
            assertThat(answer.getLong("totals.requests")).isEqualTo(totals[1]);
            assertThat(answer.getLong("everyone_else.requests")).isEqualTo(totals[1] - listed[1]);
            assertThat(answer.getLong("everyone_else.tokens")).isEqualTo(totals[2] - listed[2]);
            assertThat(new BigDecimal(answer.getString("everyone_else.cost_usd")))
                    .isEqualByComparingTo(dollars(totals[0] - listed[0]));
            assertThat(answer.getLong("error_bound.requests")).isZero();
        }
    }

    @Test
    void wholeHoursReadTheHourlyRowsAndAgreeWithTheMinutes() {
        Instant from = FIRST;
        Instant to = FIRST.plus(3, ChronoUnit.HOURS);
        Map<String, long[]> exact = exact(false, from, to, "chat");
        JsonPath answer = get(
                "/v1/users/top",
                Map.of(
                        "tenant_id",
                        TENANT,
                        "from",
                        from.toString(),
                        "to",
                        to.toString(),
                        "route",
                        "chat",
                        "limit",
                        1000));
        List<Map<String, Object>> users = answer.getList("users");
        assertThat(users.stream().map(u -> u.get("id") == null ? "" : (String) u.get("id")))
                .containsExactlyInAnyOrderElementsOf(exact.keySet());
        for (Map<String, Object> u : users) {
            long[] truth = exact.get(u.get("id") == null ? "" : (String) u.get("id"));
            assertThat(((Number) u.get("requests")).longValue()).isEqualTo(truth[1]);
            assertThat(new BigDecimal(u.get("cost_usd").toString())).isEqualByComparingTo(dollars(truth[0]));
        }
        assertThat(answer.getLong("everyone_else.requests")).isZero();
        assertThat(users)
                .anySatisfy(
                        u -> assertThat(u.get("id")).as("calls without a user").isNull());
    }

    @Test
    void topSessionsSayWhenEachRanFromTheWindowsHoldingIt() {
        Instant from = FIRST;
        Instant to = FIRST.plus(MINUTES, ChronoUnit.MINUTES);
        Map<String, long[]> exact = exact(true, from, to, null);
        exact.remove("");
        JsonPath answer = get(
                "/v1/sessions/top",
                Map.of("tenant_id", TENANT, "from", from.toString(), "to", to.toString(), "limit", 5));
        List<Map<String, Object>> sessions = answer.getList("sessions");
        List<Long> topCosts = exact.values().stream()
                .map(x -> x[0])
                .sorted(Comparator.reverseOrder())
                .limit(4)
                .toList();
        List<Long> got = new ArrayList<>();
        for (Map<String, Object> s : sessions) {
            if (s.get("id") == null) {
                continue; // calls without a session
            }
            long[] truth = exact.get((String) s.get("id"));
            got.add(truth[0]);
            assertThat(s.get("first_window_start"))
                    .isEqualTo(Instant.ofEpochMilli(truth[4]).toString());
            assertThat(s.get("last_window_end"))
                    .isEqualTo(Instant.ofEpochMilli(truth[5]).toString());
            assertThat(((Number) s.get("requests")).longValue()).isEqualTo(truth[1]);
        }
        assertThat(got.subList(0, 4)).isEqualTo(topCosts);
    }

    @Test
    void oneUsersFiguresPerHour() {
        JsonPath answer = get(
                "/v1/users/figures",
                Map.of(
                        "tenant_id",
                        TENANT,
                        "user_id",
                        "user-2",
                        "from",
                        FIRST.toString(),
                        "to",
                        FIRST.plus(3, ChronoUnit.HOURS).toString(),
                        "granularity",
                        "1h"));
        List<Map<String, Object>> buckets = answer.getList("buckets");
        assertThat(buckets).hasSize(3);
        for (int h = 0; h < 3; h++) {
            Instant start = FIRST.plus(h, ChronoUnit.HOURS);
            long[] truth =
                    exact(false, start, start.plus(1, ChronoUnit.HOURS), null).get("user-2");
            Map<String, Object> bucket = buckets.get(h);
            assertThat(bucket.get("window_start")).isEqualTo(start.toString());
            assertThat(((Number) bucket.get("requests")).longValue()).isEqualTo(truth[1]);
            assertThat(((Number) bucket.get("errors")).longValue()).isEqualTo(truth[3]);
            assertThat(new BigDecimal(bucket.get("cost_usd").toString())).isEqualByComparingTo(dollars(truth[0]));
            assertThat(bucket.get("exact")).isEqualTo(true);
        }
    }

    @Test
    void beyondASummarysCapacityHeavyUsersAreListedAndEveryFigureIsWithinItsStatedBound() {
        JsonPath answer = crowdByRequests(20);
        long bound = answer.getLong("error_bound.requests");
        assertThat(bound).as("5,000 users in a row of 500").isPositive();
        assertThat(answer.getLong("totals.requests")).isEqualTo(20_000);
        List<Map<String, Object>> users = answer.getList("users");
        assertThat(users).extracting(u -> u.get("id")).contains("fan-1", "fan-2", "fan-3");
        // every id the row holds: the lighter ones came in after a cut, so their figures are bounds
        List<Map<String, Object>> held = crowdByRequests(1000).getList("users");
        assertThat(held).hasSizeGreaterThan(users.size());
        assertThat(held).anySatisfy(u -> {
            assertThat(u.get("exact")).isEqualTo(false);
            assertThat(((Number) ((Map<?, ?>) u.get("at_most")).get("requests")).longValue())
                    .isGreaterThan(((Number) u.get("requests")).longValue());
        });
        for (Map<String, Object> u : held) {
            long counted = ((Number) u.get("requests")).longValue();
            long atMost = u.get("at_most") == null
                    ? counted
                    : ((Number) ((Map<?, ?>) u.get("at_most")).get("requests")).longValue();
            long real = crowdCalls.get((String) u.get("id"));
            assertThat(counted).as("%s counted", u.get("id")).isLessThanOrEqualTo(real);
            assertThat(atMost).as("%s at most", u.get("id")).isGreaterThanOrEqualTo(real);
        }
        assertThat(users.subList(0, 3))
                .as("the heaviest, held from their first calls")
                .allSatisfy(u -> assertThat(u.get("exact")).isEqualTo(true));
        // a user with more calls than the bound is held, counted short by at most the bound: one whose
        // calls exceed the 20th listed's count by more than the bound ranks above it, so is listed
        long twentieth = ((Number) users.get(19).get("requests")).longValue();
        crowdCalls.forEach((id, real) -> {
            if (real > twentieth + bound) {
                assertThat(users)
                        .extracting(u -> u.get("id"))
                        .as("%s, %d calls", id, real)
                        .contains(id);
            }
        });
    }

    /** The crowd's minute ranked by requests, the first {@code limit} users. */
    private static JsonPath crowdByRequests(int limit) {
        return get(
                "/v1/users/top",
                Map.of(
                        "tenant_id",
                        CROWD,
                        "from",
                        FIRST.toString(),
                        "to",
                        FIRST.plusSeconds(60).toString(),
                        "by",
                        "requests",
                        "limit",
                        limit));
    }

    @Test
    void deletingAUserRemovesItFromEveryRowAndItsCallsStayInTheTotals() {
        Map<String, Object> range = Map.of(
                "tenant_id",
                FORGETFUL,
                "from",
                FIRST.toString(),
                "to",
                FIRST.plus(3, ChronoUnit.HOURS).toString(),
                "limit",
                1000);
        JsonPath before = get("/v1/users/top", range);
        assertThat(before.getList("users.id")).contains("user-5");
        given().queryParam("tenant_id", FORGETFUL)
                .when()
                .delete("/v1/users/user-5")
                .then()
                .statusCode(200)
                .body("user_id", equalTo("user-5"));
        JsonPath after = get("/v1/users/top", range);
        assertThat(after.getList("users.id")).doesNotContain("user-5");
        assertThat(after.getLong("totals.requests")).isEqualTo(before.getLong("totals.requests"));
        long user5 = exact(false, FIRST, FIRST.plus(3, ChronoUnit.HOURS), null).get("user-5")[1];
        assertThat(after.getLong("everyone_else.requests")).isEqualTo(user5);
        // in the minute rows too, and no stored summary names it any more
        Map<String, Object> minutes = new HashMap<>(range);
        minutes.put("to", FIRST.plus(179, ChronoUnit.MINUTES).toString());
        assertThat(get("/v1/users/top", minutes).getList("users.id")).doesNotContain("user-5");
        assertThat(get(
                                "/v1/users/figures",
                                Map.of(
                                        "tenant_id",
                                        FORGETFUL,
                                        "user_id",
                                        "user-5",
                                        "from",
                                        FIRST.toString(),
                                        "to",
                                        FIRST.plus(3, ChronoUnit.HOURS).toString()))
                        .getList("buckets.requests"))
                .containsOnly(0);
    }

    @Test
    void badParametersAreRefusedNamingTheField() {
        given().queryParam("tenant_id", TENANT)
                .queryParam("by", "vibes")
                .when()
                .get("/v1/users/top")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("by"));
        given().queryParam("tenant_id", TENANT)
                .queryParam("limit", "0")
                .when()
                .get("/v1/sessions/top")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("limit"));
        given().queryParam("tenant_id", TENANT)
                .when()
                .get("/v1/users/figures")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("user_id"));
        given().when().get("/v1/users/top").then().statusCode(400).body("errors.field", hasItem("tenant_id"));
        given().queryParam("tenant_id", TENANT)
                .queryParam("from", "yesterday")
                .when()
                .get("/v1/users/top")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("from"));
    }
}
