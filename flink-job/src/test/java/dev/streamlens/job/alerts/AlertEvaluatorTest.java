package dev.streamlens.job.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlens.model.AlertRule;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.attribution.Contributors;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every rule kind on Flink's harness, in event time: fires once after {@code for}, resolves once
 * after the resolve delay, no flapping at the threshold, late revisions, absence, rule changes, and
 * no second firing after a restore that replays the same windows.
 */
class AlertEvaluatorTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

    private KeyedBroadcastOperatorTestHarness<String, MetricsRow, AlertRuleChange, AlertTransition> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** Not yet opened: a restored one is given its state first. */
    private static KeyedBroadcastOperatorTestHarness<String, MetricsRow, AlertRuleChange, AlertTransition> newHarness()
            throws Exception {
        return newHarness(OpenAlerts.NONE);
    }

    private static KeyedBroadcastOperatorTestHarness<String, MetricsRow, AlertRuleChange, AlertTransition> newHarness(
            OpenAlerts store) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new AlertEvaluator(MINUTE, store), List.of(AlertEvaluator.RULES)),
                MetricsRow::tenantId,
                Types.STRING,
                1,
                1,
                0);
    }

    @Test
    void anErrorRateFiresOnceAfterItsForDurationAndResolvesOnceAfterItsDelay() throws Exception {
        // 10 % over the last 2 minutes, with at least 20 requests, for 2 minutes; resolves after 1 clear minute.
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 2, 20L, 120L, 60L, null, null, null, 7L));
        minute(0, row("chat", "gpt-4o", 0, 50, 10, 0)); // 20 %: holds, pending since 10:01
        minute(1, row("chat", "gpt-4o", 1, 50, 10, 0)); // holds for 1 min
        assertThat(output()).isEmpty();
        minute(2, row("chat", "gpt-4o", 2, 50, 10, 0)); // 10:03: 2 min since 10:01: fires
        minute(3, row("chat", "gpt-4o", 3, 50, 10, 0)); // still firing: nothing new
        List<AlertTransition> out = output();
        assertThat(out).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertTransition.FIRING);
            assertThat(t.alertId()).isEqualTo("errors");
            assertThat(t.ruleVersion()).isEqualTo(7L);
            assertThat(t.value()).isCloseTo(20.0, within(1e-9));
            assertThat(t.requests()).isEqualTo(100);
            assertThat(t.errors()).isEqualTo(20);
            assertThat(t.windowStart()).isEqualTo(Instant.ofEpochMilli(T0 + MINUTE));
            assertThat(t.windowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 3 * MINUTE));
            assertThat(t.idempotencyKey()).isEqualTo("errors/" + (T0 + 3 * MINUTE) + "/firing");
        });
        minute(4, row("chat", "gpt-4o", 4, 50, 0, 0)); // 10 / 100 = 10 %: still holds (≥)
        minute(5, row("chat", "gpt-4o", 5, 50, 0, 0)); // 0 %: clear since 10:06
        minute(6, row("chat", "gpt-4o", 6, 50, 0, 0)); // clear for 1 min: resolves
        minute(7, row("chat", "gpt-4o", 7, 50, 0, 0));
        List<AlertTransition> all = output();
        assertThat(all)
                .extracting(AlertTransition::state)
                .containsExactly(AlertTransition.FIRING, AlertTransition.RESOLVED);
        assertThat(all.get(1).idempotencyKey()).isEqualTo("errors/" + (T0 + 3 * MINUTE) + "/resolved");
        assertThat(all.get(1).windowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 7 * MINUTE));
    }

    @Test
    void tooFewRequestsNeverFireAnErrorRate() throws Exception {
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 5, 20L, 0L, 0L, null, null, null, 1L));
        for (int m = 0; m < 10; m++) {
            minute(m, row("chat", "gpt-4o", m, 2, 1, 0)); // 50 %, but 10 requests over 5 minutes
        }
        assertThat(output()).isEmpty();
    }

    @Test
    void aConditionAtTheThresholdDoesNotFlapWithAResolveDelay() throws Exception {
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 1, 1L, 0L, 180L, null, null, null, 1L));
        // alternating 12 % and 8 %: fires once, stays firing (each clear minute is shorter than 3 min)
        for (int m = 0; m < 10; m++) {
            minute(m, row("chat", "gpt-4o", m, 100, m % 2 == 0 ? 12 : 8, 0));
        }
        assertThat(output()).extracting(AlertTransition::state).containsExactly(AlertTransition.FIRING);
        for (int m = 10; m < 14; m++) {
            minute(m, row("chat", "gpt-4o", m, 100, 0, 0));
        }
        assertThat(output())
                .extracting(AlertTransition::state)
                .containsExactly(AlertTransition.FIRING, AlertTransition.RESOLVED);
    }

    @Test
    void latencyComesFromTheMergedSketchesNotFromAveragedPercentiles() throws Exception {
        rule(new AlertRule("slow", "acme", null, null, "latency", 1000.0, 95, 1, null, 0L, 0L, null, null, null, 1L));
        // 95 fast calls on one series, 5 slow calls (2 s) on another: p95 of all 100 is fast (≈ 100 ms)
        // while the average of the two series' p95 would be (100 + 2000) / 2 = 1050 ms ≥ 1000.
        minute(0, row("chat", "gpt-4o", 0, 95, 0, 0, 100), row("search", "gpt-4o", 0, 5, 0, 0, 2000));
        assertThat(output()).isEmpty();
        // the next minute: only slow calls, so its p95 is 2 s: fires
        minute(1, row("search", "gpt-4o", 1, 10, 0, 0, 2000));
        assertThat(output()).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertTransition.FIRING);
            assertThat(t.value()).isCloseTo(2000.0, within(2000.0 * 0.01));
        });
    }

    @Test
    void timeoutsAndSpendOverTheirRanges() throws Exception {
        rule(new AlertRule(
                "timeouts", "acme", "chat", null, "timeouts", 5.0, null, 3, null, 0L, 0L, null, null, null, 1L));
        rule(new AlertRule("budget", "acme", null, null, "spend", 1.5, null, 60, null, 0L, 0L, null, null, null, 1L));
        minute(0, row("chat", "gpt-4o", 0, 10, 0, 2), row("search", "gpt-4o", 0, 10, 0, 9)); // search is out of scope
        minute(1, row("chat", "gpt-4o", 1, 10, 0, 2));
        assertThat(output()).isEmpty();
        minute(2, row("chat", "gpt-4o", 2, 10, 0, 1)); // 5 timeouts on chat over 3 minutes: fires
        assertThat(output()).extracting(AlertTransition::alertId).containsExactly("timeouts");
        // each row costs 0.05 USD (see row()): 0.20 USD so far, 1.50 USD with the row of minute 28
        for (int m = 3; m < 29; m++) {
            minute(m, row("chat", "gpt-4o", m, 10, 0, 0));
        }
        List<AlertTransition> out = output();
        assertThat(out)
                .filteredOn(t -> t.alertId().equals("budget"))
                .singleElement()
                .satisfies(t -> {
                    assertThat(t.costUsd()).isEqualByComparingTo(new BigDecimal("1.50"));
                    assertThat(t.windowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 29 * MINUTE));
                    assertThat(t.windowStart()).isEqualTo(Instant.ofEpochMilli(T0 + 29 * MINUTE - 60 * MINUTE));
                });
        assertThat(out)
                .filteredOn(t -> t.alertId().equals("timeouts"))
                .extracting(AlertTransition::state)
                .containsExactly(AlertTransition.FIRING, AlertTransition.RESOLVED);
    }

    @Test
    void trafficThatStopsFiresWithoutAnyNewRowAndResolvesWhenItReturns() throws Exception {
        rule(new AlertRule(
                "quiet", "acme", null, null, "traffic_stopped", 10.0, null, 3, null, 0L, 0L, null, null, null, 1L));
        for (int m = 0; m < 6; m++) {
            minute(m, row("chat", "gpt-4o", m, 20, 0, 0));
        }
        assertThat(output()).isEmpty();
        // no more rows: only the watermark moves (the job's clock ticks)
        for (int m = 6; m < 12; m++) {
            harness.watermark(T0 + (m + 1) * MINUTE - 1);
        }
        assertThat(output()).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertTransition.FIRING);
            assertThat(t.windowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 9 * MINUTE)); // 3 quiet minutes: 10:06–10:09
            assertThat(t.value()).isEqualTo(0.0);
        });
        minute(12, row("chat", "gpt-4o", 12, 30, 0, 0));
        assertThat(output())
                .extracting(AlertTransition::state)
                .containsExactly(AlertTransition.FIRING, AlertTransition.RESOLVED);
        // a tenant that never had traffic is not "stopped"
        rule(new AlertRule(
                "quiet-globex",
                "globex",
                null,
                null,
                "traffic_stopped",
                10.0,
                null,
                3,
                null,
                0L,
                0L,
                null,
                null,
                null,
                1L));
        minute(13, row("chat", "gpt-4o", 13, 30, 0, 0));
        assertThat(output()).hasSize(2);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // without the guard this never returns
    void theEndOfInputStopsTheTimersThatAbsenceKeepsRunning() throws Exception {
        rule(new AlertRule(
                "quiet", "acme", null, null, "traffic_stopped", 10.0, null, 3, null, 0L, 0L, null, null, null, 1L));
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 1, 1L, 0L, 600L, null, null, null, 1L));
        minute(0, row("chat", "gpt-4o", 0, 20, 10, 0)); // fires errors; both rules now keep timers running
        harness.watermark(Long.MAX_VALUE); // returns: no timer chain towards the end of time
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(output()).extracting(AlertTransition::alertId).contains("errors");
    }

    @Test
    void anUnpricedModelIsOneAlertPerModel() throws Exception {
        rule(new AlertRule(
                "prices", "acme", null, null, "unpriced_model", null, null, 5, null, 0L, 0L, null, null, null, 1L));
        minute(
                0,
                row("chat", "gpt-4o", 0, 10, 0, 0),
                unpriced(row("chat", "in-house", 0, 3, 0, 0)),
                unpriced(row("search", "mystery", 0, 1, 0, 0)));
        assertThat(output())
                .extracting(AlertTransition::alertId)
                .containsExactlyInAnyOrder("prices|model=in-house", "prices|model=mystery");
        assertThat(output()).allSatisfy(t -> assertThat(t.model()).isIn("in-house", "mystery"));
    }

    @Test
    void oneEndUserAboveASpendIsOneAlertPerUserAndCallsWithoutAUserAreNoOnes() throws Exception {
        rule(new AlertRule(
                "whales", "acme", null, null, "user_spend", 1.0, null, 10, null, 0L, 0L, null, null, null, 1L));
        // per minute: alice 0.30 USD over two series, bob 0.05, anonymous calls 5.00 (no one's)
        for (int m = 0; m < 3; m++) {
            minute(
                    m,
                    withUsers(row("chat", "gpt-4o", m, 10, 0, 0), Map.of("alice", 200_000_000L, "", 5_000_000_000L)),
                    withUsers(row("search", "gpt-4o", m, 10, 0, 0), Map.of("alice", 100_000_000L, "bob", 50_000_000L)));
        }
        assertThat(output()).as("alice at 0.90 USD").isEmpty();
        minute(3, withUsers(row("chat", "gpt-4o", 3, 10, 0, 0), Map.of("alice", 100_000_000L)));
        assertThat(output()).singleElement().satisfies(t -> {
            assertThat(t.alertId()).isEqualTo("whales|user=alice");
            assertThat(t.state()).isEqualTo(AlertTransition.FIRING);
            assertThat(t.value()).isEqualTo(1.0);
            assertThat(t.reason()).isEqualTo("end user alice");
        });
        // nothing more from alice: her calls leave the 10-minute range at minute 10, and the alert resolves
        for (int m = 4; m < 12; m++) {
            minute(m, withUsers(row("chat", "gpt-4o", m, 10, 0, 0), Map.of("bob", 10_000_000L)));
        }
        assertThat(output())
                .extracting(t -> t.alertId() + " " + t.state())
                .containsExactly(
                        "whales|user=alice " + AlertTransition.FIRING, "whales|user=alice " + AlertTransition.RESOLVED);
    }

    /** The row with an end-user summary: each user's cost in nano-dollars, one call each. */
    private static MetricsRow withUsers(MetricsRow row, Map<String, Long> costNano) {
        Contributors users = Contributors.forRow();
        costNano.forEach((user, cost) -> users.add(user.isEmpty() ? null : user, cost, 10, false));
        CallTotals totals = CallTotals.of(row);
        return CallTotals.builder()
                .sum("requests", totals.count("requests"))
                .sum("estimated_cost_usd", totals.total("estimated_cost_usd"))
                .contributors("top_users", users)
                .build()
                .toRow(row.tenantId(), row.route(), row.model(), row.windowStart(), row.windowEnd(), 1, "run");
    }

    @Test
    void aLateRevisionIsEvaluatedAndCanFire() throws Exception {
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 3, 1L, 0L, 0L, null, null, null, 1L));
        minute(0, row("chat", "gpt-4o", 0, 100, 1, 0));
        minute(1, row("chat", "gpt-4o", 1, 100, 1, 0));
        assertThat(output()).isEmpty();
        // window 10:00 revised late (its errors were still arriving): 31 + 1 of 200 → 16 %
        harness.processElement(revision(row("chat", "gpt-4o", 0, 100, 31, 0), 2), T0 + 2 * MINUTE);
        harness.watermark(T0 + 2 * MINUTE + 1);
        assertThat(output()).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertTransition.FIRING);
            assertThat(t.errors()).isEqualTo(32);
            assertThat(t.windowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 2 * MINUTE));
        });
    }

    @Test
    void aRestoredJobReplayingTheSameWindowsDoesNotFireOrResolveAgain() throws Exception {
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 1, 1L, 0L, 0L, null, null, null, 1L));
        minute(0, row("chat", "gpt-4o", 0, 100, 50, 0)); // fires
        minute(1, row("chat", "gpt-4o", 1, 100, 0, 0)); // resolves
        assertThat(output()).hasSize(2);
        OperatorSubtaskState snapshot = harness.snapshot(1, T0 + 2 * MINUTE);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        // the source rewinds to before the checkpoint's last windows: the same rows again
        minute(1, row("chat", "gpt-4o", 1, 100, 0, 0));
        minute(2, row("chat", "gpt-4o", 2, 100, 0, 0));
        assertThat(output())
                .as("rules came back with the state; nothing transitions twice")
                .isEmpty();
        minute(3, row("chat", "gpt-4o", 3, 100, 40, 0));
        assertThat(output()).extracting(AlertTransition::episode).containsExactly(2L);
    }

    @Test
    void aStartWithoutStateTakesUpTheEpisodesAnEarlierRunLeftFiring() throws Exception {
        long firedAt = T0 - 10 * MINUTE;
        OpenAlerts store = () -> Map.of(
                "acme",
                List.of(
                        new OpenAlerts.Episode("errors", "errors", firedAt, 3),
                        new OpenAlerts.Episode("gone", "gone", firedAt, 1))); // its rule no longer exists
        harness.close();
        harness = newHarness(store);
        harness.open();
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 1, 1L, 0L, 60L, null, null, null, 1L));
        minute(0, row("chat", "gpt-4o", 0, 100, 20, 0)); // still holds: the episode goes on, nobody is paged again
        minute(1, row("chat", "gpt-4o", 1, 100, 20, 0));
        assertThat(output()).as("no second firing of an open episode").isEmpty();
        minute(2, row("chat", "gpt-4o", 2, 100, 0, 0)); // clear
        minute(3, row("chat", "gpt-4o", 3, 100, 0, 0)); // clear for the resolve delay: resolves that episode
        minute(4, row("chat", "gpt-4o", 4, 100, 0, 0));
        assertThat(output()).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertTransition.RESOLVED);
            assertThat(t.episode()).isEqualTo(3L);
            assertThat(t.idempotencyKey()).isEqualTo("errors/" + firedAt + "/resolved");
        });
        minute(5, row("chat", "gpt-4o", 5, 100, 50, 0)); // the next episode is the fourth
        assertThat(output()).extracting(AlertTransition::episode).containsExactly(3L, 4L);
    }

    @Test
    void aRestoredJobKeepsItsOwnEpisodesAndNeverAsksTheStore() throws Exception {
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 1, 1L, 0L, 0L, null, null, null, 1L));
        minute(0, row("chat", "gpt-4o", 0, 100, 50, 0)); // fires
        OperatorSubtaskState snapshot = harness.snapshot(1, T0 + MINUTE);
        harness.close();

        harness = newHarness(() -> {
            throw new AssertionError("a restored job read the alerts store");
        });
        harness.initializeState(snapshot);
        harness.open();
        minute(1, row("chat", "gpt-4o", 1, 100, 0, 0)); // resolves the episode its state holds
        assertThat(output())
                .extracting(AlertTransition::state, AlertTransition::episode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(AlertTransition.RESOLVED, 1L));
    }

    @Test
    void aRuleDeletedWhileFiringResolvesOnceAndAChangedRuleAppliesAtTheNextWindow() throws Exception {
        AlertRule errors = new AlertRule(
                "errors", "acme", null, null, "error_rate", 10.0, null, 1, 1L, 0L, 0L, null, null, null, 1L);
        rule(errors);
        minute(0, row("chat", "gpt-4o", 0, 100, 20, 0));
        assertThat(output()).extracting(AlertTransition::state).containsExactly(AlertTransition.FIRING);
        // a higher threshold: the next window's evaluation clears it
        rule(new AlertRule(
                "errors", "acme", null, null, "error_rate", 50.0, null, 1, 1L, 0L, 0L, null, null, null, 2L));
        minute(1, row("chat", "gpt-4o", 1, 100, 20, 0));
        assertThat(output())
                .extracting(AlertTransition::state)
                .containsExactly(AlertTransition.FIRING, AlertTransition.RESOLVED);
        assertThat(output().get(1).ruleVersion()).isEqualTo(2L);
        minute(2, row("chat", "gpt-4o", 2, 100, 60, 0));
        assertThat(output()).hasSize(3);
        harness.processBroadcastElement(new AlertRuleChange("errors", null), T0 + 3 * MINUTE);
        assertThat(output()).hasSize(4).last().satisfies(t -> {
            assertThat(t.state()).isEqualTo(AlertTransition.RESOLVED);
            assertThat(t.reason()).isEqualTo("rule deleted or disabled");
            assertThat(t.episode()).isEqualTo(2);
        });
        minute(3, row("chat", "gpt-4o", 3, 100, 90, 0));
        assertThat(output()).as("a deleted rule is not evaluated").hasSize(4);
    }

    // ---- helpers ----

    private void rule(AlertRule rule) throws Exception {
        assertThat(rule.problems()).isEmpty();
        harness.processBroadcastElement(new AlertRuleChange(rule.ruleId(), rule), 0);
    }

    /** The rows of minute m, then the watermark that closes it: its end - 1 ms. */
    private void minute(int m, MetricsRow... rows) throws Exception {
        for (MetricsRow row : rows) {
            harness.processElement(row, T0 + (m + 1) * MINUTE - 1);
        }
        harness.watermark(T0 + (m + 1) * MINUTE - 1);
    }

    private List<AlertTransition> output() {
        return harness.extractOutputValues();
    }

    private static MetricsRow row(String route, String model, int minute, long requests, long errors, long timeouts) {
        return row(route, model, minute, requests, errors, timeouts, 500);
    }

    /** requests calls of latencyMs each; 0.05 USD per row. */
    private static MetricsRow row(
            String route, String model, int minute, long requests, long errors, long timeouts, double latencyMs) {
        LatencySketch latencies = LatencySketch.create();
        for (int i = 0; i < requests; i++) {
            latencies.add(latencyMs);
        }
        CallTotals totals = CallTotals.builder()
                .sum("requests", requests)
                .sum("errors", errors)
                .sum("timeouts", timeouts)
                .sum("latency_sum_ms", requests * latencyMs)
                .sum("total_prompt_tokens", requests * 100)
                .sum("total_completion_tokens", requests * 50)
                .sum("estimated_cost_usd", new BigDecimal("0.05"))
                .sketch("latency_sketch", latencies)
                .build();
        Instant start = Instant.ofEpochMilli(T0 + minute * MINUTE);
        return totals.toRow("acme", route, model, start, start.plusMillis(MINUTE), 1, "run");
    }

    private static MetricsRow unpriced(MetricsRow row) {
        CallTotals totals = CallTotals.of(row);
        CallTotals free = CallTotals.builder()
                .sum("requests", totals.count("requests"))
                .sum("errors", totals.count("errors"))
                .sum("timeouts", totals.count("timeouts"))
                .sum("latency_sum_ms", totals.total("latency_sum_ms").doubleValue())
                .sum("total_prompt_tokens", totals.count("total_prompt_tokens"))
                .sum("total_completion_tokens", totals.count("total_completion_tokens"))
                .sum("unpriced_requests", totals.count("requests"))
                .sketch("latency_sketch", totals.sketch("latency_sketch"))
                .build();
        return free.toRow(row.tenantId(), row.route(), row.model(), row.windowStart(), row.windowEnd(), 1, "run");
    }

    private static MetricsRow revision(MetricsRow row, int revision) {
        return CallTotals.of(row)
                .toRow(
                        row.tenantId(),
                        row.route(),
                        row.model(),
                        row.windowStart(),
                        row.windowEnd(),
                        revision,
                        row.jobRun());
    }
}
