package dev.streamlens.e2e;

import static dev.streamlens.e2e.StackProcess.JOIN_TIMEOUT_MS;
import static dev.streamlens.e2e.StackProcess.SHORT_TIMES;
import static dev.streamlens.e2e.StackProcess.WINDOW_MS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.TestDirectories;
import dev.streamlens.testing.WebhookReceiver;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Alerts on the real stack ({@code ./streamlens up}, short windows): rules created over REST, traffic
 * that crosses an error-rate threshold, a latency threshold and a budget, and a real HTTP receiver
 * that answers 500 for a while. Every process is killed with SIGKILL mid-episode (the alerts firing,
 * not resolved) and the stack started again; the receiver must still get exactly one firing and
 * one resolved per episode by idempotency key. A second tenant's rule is added, changed and deleted
 * over REST while traffic flows, each change taking effect at the next window's end.
 */
class AlertsEndToEndIT {

    private static final String ALERTING = "alerting";
    private static final String LIFECYCLE = "lifecycle";
    /** The watermark trails the newest event by the out-of-orderness bound (2 s) of SHORT_TIMES. */
    private static final long WATERMARK_LAG_MS = 2_000;

    private final List<Workload.Request> requests = new ArrayList<>();
    private final List<Workload.Response> responses = new ArrayList<>();

    @Test
    void alertsFireAndResolveOncePerEpisodeAcrossAKillAndReachTheWebhookDespite500s() throws Exception {
        Path home = TestDirectories.fresh("e2e-alerts");
        Map<String, String> env = new HashMap<>(SHORT_TIMES);
        env.put("STREAMLENS_WEBHOOK_INITIAL_BACKOFF", "200ms");
        env.put("STREAMLENS_WEBHOOK_MAX_BACKOFF", "2s");
        Map<String, String> settings = StackProcess.settings(home, env);
        PacedSender sender = new PacedSender("http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT"));
        QueryApi query = new QueryApi("http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT"));
        byte[] prices;
        try (InputStream in = getClass().getResourceAsStream("/pricing/default-prices.json")) {
            prices = in.readAllBytes();
        }

        StackProcess stack = StackProcess.up(settings);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            // Phase A, 30 s: 60 % errors, every call 3 s slow. The budget is half of what it costs.
            long startA = System.currentTimeMillis() + 2_000;
            List<Workload.Delivery> phaseA = calls(ALERTING, "a", startA, 30_000, 10, 6, 3_000);
            BigDecimal budget = costOf(ALERTING, prices).divide(BigDecimal.valueOf(2));
            create(query, rule("errors", "error_rate", 50, receiver, "\"min_requests\":10,\"for_seconds\":10"));
            create(query, rule("slow", "latency", 2_000, receiver, "\"percentile\":95"));
            create(
                    query,
                    "{\"rule_id\":\"budget\",\"tenant_id\":\"" + ALERTING + "\",\"kind\":\"spend\",\"threshold\":"
                            + budget.toPlainString() + ",\"window_minutes\":60,\"webhook_url\":\"" + receiver.url()
                            + "\"}");
            receiver.failNext(Integer.MAX_VALUE); // the receiver is down until after the restart
            sender.play(phaseA);
            awaitTransitions(
                    query,
                    ALERTING,
                    Duration.ofSeconds(60),
                    "alerts firing mid-episode",
                    alerts -> states(alerts, "errors").equals(List.of("firing"))
                            && states(alerts, "slow").equals(List.of("firing"))
                            && states(alerts, "budget").equals(List.of("firing")));

            // Mid-episode: every process of the stack killed with SIGKILL, then started on the same data.
            List<ProcessHandle> everything = stack.everyProcess(home);
            everything.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle process : everything) {
                process.onExit().get(30, TimeUnit.SECONDS);
            }
            stack = StackProcess.up(settings);
            Thread.sleep(5_000);
            receiver.failNext(0); // the receiver is back

            // Phase B, 120 s: the alerting tenant healthy again; a second tenant fails half its calls.
            long startB = System.currentTimeMillis() + 1_000;
            List<Workload.Delivery> phaseB = new ArrayList<>(calls(ALERTING, "b", startB, 120_000, 10, 0, 300));
            phaseB.addAll(calls(LIFECYCLE, "l", startB, 120_000, 5, 5, 300));
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                try {
                    sender.play(phaseB);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(10_000);
            ruleChangesTakeEffectAtTheNextWindowEnd(query, receiver);
            awaitTransitions(
                    query,
                    ALERTING,
                    Duration.ofSeconds(120),
                    "error and latency alerts resolved",
                    alerts -> states(alerts, "errors").equals(List.of("firing", "resolved"))
                            && states(alerts, "slow").equals(List.of("firing", "resolved")));
            traffic.get(3, TimeUnit.MINUTES);
            assertThat(sender.refusals()).as("valid events are never refused").isEmpty();

            List<JsonNode> alerting = history(query, ALERTING);
            assertThat(states(alerting, "errors"))
                    .as("one episode of the error-rate alert")
                    .containsExactly("firing", "resolved");
            assertThat(states(alerting, "slow"))
                    .as("one episode of the latency alert")
                    .containsExactly("firing", "resolved");
            assertThat(states(alerting, "budget"))
                    .as("the budget fires once and holds")
                    .containsExactly("firing");
            assertThat(alerting).allMatch(a -> a.get("episode").asInt() == 1);
            assertBudgetFiredWhereTheSpendCrossedIt(alerting, budget, sender, prices);

            // The receiver: exactly the stored transitions, each accepted once, though some were refused first.
            List<JsonNode> all = new ArrayList<>(alerting);
            all.addAll(history(query, LIFECYCLE));
            awaitDelivered(receiver, all);
            Map<String, Long> acceptedByKey = receiver.accepted().stream()
                    .collect(Collectors.groupingBy(WebhookReceiver.Received::idempotencyKey, Collectors.counting()));
            Set<String> storedKeys =
                    all.stream().map(a -> a.get("idempotency_key").asText()).collect(Collectors.toSet());
            assertThat(acceptedByKey.keySet()).as("keys the receiver accepted").isEqualTo(storedKeys);
            assertThat(acceptedByKey.values()).as("each key accepted once").allMatch(n -> n == 1);
            assertThat(receiver.received())
                    .as("deliveries refused with 500 while the receiver was down")
                    .anyMatch(r -> r.status() == 500);
            List<JsonNode> afterDelivery = new ArrayList<>(history(query, ALERTING));
            afterDelivery.addAll(history(query, LIFECYCLE));
            assertThat(afterDelivery)
                    .as("every stored alert's delivery status")
                    .allMatch(a -> a.at("/delivery/status").asText().equals("delivered"));
            for (WebhookReceiver.Received accepted : receiver.accepted()) {
                assertThat(accepted.body()).contains("\"idempotency_key\":\"" + accepted.idempotencyKey() + "\"");
            }
        } finally {
            stack.close();
        }
    }

    /**
     * A rule of the second tenant added, changed (threshold above, then below its error rate) and
     * deleted over REST: each change shows in the transition of the first window end after it (the
     * evaluation waits for the watermark, 2 s behind the events).
     */
    private void ruleChangesTakeEffectAtTheNextWindowEnd(QueryApi query, WebhookReceiver receiver) throws Exception {
        String rule =
                "{\"rule_id\":\"flaky\",\"tenant_id\":\"" + LIFECYCLE + "\",\"kind\":\"error_rate\",\"threshold\":%d,"
                        + "\"window_minutes\":1,\"webhook_url\":\"" + receiver.url() + "\"}";
        long added = System.currentTimeMillis();
        create(query, String.format(rule, 40));
        JsonNode fired = awaitNth(query, "firing", 1);
        assertEffectiveWithinOneWindow(fired, added, "rule added");

        long raised = System.currentTimeMillis();
        assertThat(query.call("PUT", "/v1/alert-rules/flaky", String.format(rule, 90))
                        .status())
                .isEqualTo(200);
        assertEffectiveWithinOneWindow(awaitNth(query, "resolved", 1), raised, "threshold raised above the error rate");

        long lowered = System.currentTimeMillis();
        assertThat(query.call("PUT", "/v1/alert-rules/flaky", String.format(rule, 40))
                        .status())
                .isEqualTo(200);
        JsonNode again = awaitNth(query, "firing", 2);
        assertEffectiveWithinOneWindow(again, lowered, "threshold lowered again");
        assertThat(again.get("episode").asInt()).isEqualTo(2);

        long deleted = System.currentTimeMillis();
        assertThat(query.call("DELETE", "/v1/alert-rules/flaky", null).status()).isEqualTo(204);
        JsonNode gone = awaitNth(query, "resolved", 2);
        assertThat(gone.get("reason").asText()).isEqualTo("rule deleted or disabled");
        assertThat(Instant.parse(gone.get("received_at").asText()).toEpochMilli() - deleted)
                .as("the deletion's resolved transition stored within a window")
                .isLessThan(WINDOW_MS + 5_000);
        assertThat(states(history(query, LIFECYCLE), "flaky"))
                .containsExactly("firing", "resolved", "firing", "resolved");
    }

    /** Evaluated at the first window end the watermark passes after the change arrived. */
    private static void assertEffectiveWithinOneWindow(JsonNode transition, long changedAt, String change) {
        long windowEnd = Instant.parse(transition.get("window_end").asText()).toEpochMilli();
        long firstEvaluationAfter = (Math.floorDiv(changedAt - WATERMARK_LAG_MS, WINDOW_MS) + 1) * WINDOW_MS;
        assertThat(windowEnd)
                .as(
                        "%s: evaluated at %s, change made at %s",
                        change, Instant.ofEpochMilli(windowEnd), Instant.ofEpochMilli(changedAt))
                .isBetween(firstEvaluationAfter - WINDOW_MS, firstEvaluationAfter + WINDOW_MS);
    }

    /** The budget fires at the first window end where the calls' cost so far (computed here) reaches it. */
    private void assertBudgetFiredWhereTheSpendCrossedIt(
            List<JsonNode> alerting, BigDecimal budget, PacedSender sender, byte[] prices) {
        ExpectedMetrics expected =
                ExpectedMetrics.of(sender.acknowledgedPart(requests, responses), prices, WINDOW_MS, JOIN_TIMEOUT_MS);
        TreeMap<Long, BigDecimal> costByWindow = new TreeMap<>();
        expected.rows.forEach((key, row) -> {
            if (key.tenant().equals(ALERTING)) {
                costByWindow.merge(key.windowStart(), row.cost, BigDecimal::add);
            }
        });
        BigDecimal sum = BigDecimal.ZERO;
        Long crossedAtEnd = null;
        for (Map.Entry<Long, BigDecimal> window : costByWindow.entrySet()) {
            sum = sum.add(window.getValue());
            if (sum.compareTo(budget) >= 0) {
                crossedAtEnd = window.getKey() + WINDOW_MS;
                break;
            }
        }
        JsonNode firing = alerting.stream()
                .filter(a -> a.get("rule_id").asText().equals("budget"))
                .findFirst()
                .orElseThrow();
        assertThat(crossedAtEnd).as("the expected spend crosses the budget").isNotNull();
        assertThat(Instant.parse(firing.get("window_end").asText())).isEqualTo(Instant.ofEpochMilli(crossedAtEnd));
        assertThat(firing.get("value").asDouble()).isGreaterThanOrEqualTo(budget.doubleValue());
    }

    /** {@code perSecond} calls a second over {@code spanMs}, {@code errorsInTen} of every ten failing. */
    private List<Workload.Delivery> calls(
            String tenant, String prefix, long start, long spanMs, int perSecond, int errorsInTen, long latencyMs) {
        List<Workload.Delivery> deliveries = new ArrayList<>();
        int count = (int) (spanMs / 1000 * perSecond);
        for (int i = 0; i < count; i++) {
            String id = tenant + "-" + prefix + "-" + i;
            long ts = start + i * 1000L / perSecond;
            Workload.Request request = new Workload.Request(id, tenant, "chat", "gpt-4o", ts, 1_000);
            Workload.Response response = new Workload.Response(
                    id, ts + latencyMs, (double) latencyMs, 500, i % 10 < errorsInTen ? "upstream error" : null);
            requests.add(request);
            responses.add(response);
            deliveries.add(new Workload.Delivery(Topics.REQUESTS, id, Workload.requestJson(request), ts));
            deliveries.add(new Workload.Delivery(Topics.RESPONSES, id, Workload.responseJson(response), response.ts()));
        }
        return deliveries;
    }

    private BigDecimal costOf(String tenant, byte[] prices) {
        ExpectedMetrics expected =
                ExpectedMetrics.of(Workload.of(requests, responses), prices, WINDOW_MS, JOIN_TIMEOUT_MS);
        return expected.rows.entrySet().stream()
                .filter(e -> e.getKey().tenant().equals(tenant))
                .map(e -> e.getValue().cost)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static String rule(String id, String kind, int threshold, WebhookReceiver receiver, String extra) {
        return "{\"rule_id\":\"" + id + "\",\"tenant_id\":\"" + ALERTING + "\",\"kind\":\"" + kind + "\",\"threshold\":"
                + threshold + ",\"window_minutes\":1,\"resolve_after_seconds\":10,\"webhook_url\":\"" + receiver.url()
                + "\","
                + extra + "}";
    }

    private static void create(QueryApi query, String json) throws Exception {
        QueryApi.Answer answer = query.call("POST", "/v1/alert-rules", json);
        assertThat(answer.status())
                .as("POST /v1/alert-rules %s: %s", json, answer.body())
                .isEqualTo(201);
    }

    /** A tenant's transitions, oldest first. */
    private static List<JsonNode> history(QueryApi query, String tenant) throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        query.get("/v1/alerts?tenant_id=" + tenant + "&limit=1000&from="
                        + Instant.now().minus(Duration.ofHours(1)) + "&to="
                        + Instant.now().plus(Duration.ofHours(1)))
                .get("alerts")
                .forEach(alerts::add);
        java.util.Collections.reverse(alerts);
        return alerts;
    }

    private static List<String> states(List<JsonNode> alerts, String ruleId) {
        return alerts.stream()
                .filter(a -> a.get("rule_id").asText().equals(ruleId))
                .map(a -> a.get("state").asText())
                .toList();
    }

    private static void awaitTransitions(
            QueryApi query, String tenant, Duration timeout, String what, Predicate<List<JsonNode>> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> alerts = history(query, tenant);
        while (!done.test(alerts) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            alerts = history(query, tenant);
        }
        assertThat(done.test(alerts)).as("%s; transitions: %s", what, alerts).isTrue();
    }

    /** The n-th transition of this state of the lifecycle tenant's rule, once stored. */
    private static JsonNode awaitNth(QueryApi query, String state, int n) throws Exception {
        // Generous: when it took effect is asserted from the transition's own window end, not here;
        // a shared 2-core machine can delay the row's arrival well past one window.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            List<JsonNode> history = history(query, LIFECYCLE);
            List<JsonNode> matching = history.stream()
                    .filter(a -> a.get("state").asText().equals(state))
                    .toList();
            if (matching.size() >= n) {
                return matching.get(n - 1);
            }
            assertThat(System.nanoTime())
                    .as("%s #%d of the lifecycle rule within 90 s; transitions: %s", state, n, history)
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static void awaitDelivered(WebhookReceiver receiver, List<JsonNode> stored) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (receiver.accepted().stream()
                                .map(WebhookReceiver.Received::idempotencyKey)
                                .distinct()
                                .count()
                        < stored.size()
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
    }
}
