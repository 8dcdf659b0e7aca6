package dev.streamlens.job.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.time.TimingGuard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The join operator on Flink's test harness: every arrival order, bounds, duplicates, timeouts, orphans, cleanup. */
class RequestResponseJoinTest {

    private static final long T = Duration.ofMinutes(5).toMillis();
    private static final long LATENESS = Duration.ofMinutes(1).toMillis();
    private static final long WINDOW = Duration.ofMinutes(1).toMillis();
    private static final long T0 = Instant.parse("2025-11-20T10:00:30Z").toEpochMilli();

    private KeyedTwoInputStreamOperatorTestHarness<String, TelemetryEvent, TelemetryEvent, JoinedCall> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness(Duration.ofMillis(T), Duration.ofMillis(LATENESS), Duration.ofMillis(WINDOW));
        harness.open();
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, TelemetryEvent, TelemetryEvent, JoinedCall> harness(
            Duration timeout, Duration lateness, Duration window) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new RequestResponseJoin(timeout, lateness, window)),
                e -> e.requestId,
                e -> e.requestId,
                JoinKeySerializer.TYPE); // as the job keys the join
    }

    private static long windowEnd(long timestamp) {
        return timestamp - Math.floorMod(timestamp, WINDOW) + WINDOW;
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void requestThenResponseJoinsAtTheResponseTime() throws Exception {
        request("r1", T0, 100);
        response("r1", T0 + 1200, 1200.0, 250, false);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(call -> {
            assertThat(call.timeout).isFalse();
            assertThat(call.eventTime).isEqualTo(T0 + 1200);
            assertThat(call.latencyMs).isEqualTo(1200.0);
            assertThat(call.promptTokens).isEqualTo(100);
            assertThat(call.completionTokens).isEqualTo(250);
            assertThat(call.tenantId + "|" + call.route + "|" + call.model).isEqualTo("acme|chat|gpt-4");
        });
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseThenRequestJoinsToo() throws Exception {
        response("r1", T0 + 800, 800.0, 10, true);
        request("r1", T0, 5);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(call -> {
            assertThat(call.eventTime).isEqualTo(T0 + 800);
            assertThat(call.failed).isTrue();
        });
        assertThat(orphans()).isEmpty();
        assertStateEmptiedAfterEverything();
    }

    @Test
    void duplicatesOnBothSidesCountOnce() throws Exception {
        response("r1", T0 + 500, 500.0, 1, false);
        response("r1", T0 + 500, 500.0, 1, false);
        request("r1", T0, 1);
        request("r1", T0, 1);
        response("r1", T0 + 500, 500.0, 1, false);

        request("r2", T0, 1);
        request("r2", T0, 1);
        response("r2", T0 + 900, 900.0, 1, false);
        response("r2", T0 + 900, 900.0, 1, false);

        assertThat(harness.extractOutputValues()).extracting(c -> c.requestId).containsExactly("r1", "r2");
        harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));
        assertThat(harness.extractOutputValues()).noneMatch(c -> c.timeout);
        assertThat(orphans()).isEmpty();
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseJustInsideEachBoundJoins() throws Exception {
        request("early", T0, 1);
        response("early", T0 - 5000, 1.0, 1, false);
        request("late", T0, 1);
        response("late", T0 + T, 1.0, 1, false);

        assertThat(harness.extractOutputValues()).extracting(c -> c.requestId).containsExactly("early", "late");
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseJustOutsideEachBoundIsAnOrphanAndTheRequestTimesOut() throws Exception {
        request("early", T0, 1);
        response("early", T0 - 5001, 1.0, 1, false);
        response("late", T0 + T + 1, 1.0, 1, false);
        request("late", T0, 1);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(orphans())
                .extracting(d -> new String(d.key, StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("early", "late");
        assertThat(orphans()).allMatch(d -> d.reason.contains("outside the join interval"));

        harness.processBothWatermarks(new Watermark(T0 + T));
        assertThat(harness.extractOutputValues())
                .extracting(c -> c.requestId + ":" + c.timeout + "@" + c.eventTime)
                .containsExactlyInAnyOrder("early:true@" + (T0 + T), "late:true@" + (T0 + T));
        assertStateEmptiedAfterEverything();
    }

    @Test
    void aRetriedRefusedResponseIsDeadLetteredOnce() throws Exception {
        request("r1", T0, 1);
        response("r1", T0 + T + 1, 1.0, 1, false);
        response("r1", T0 + T + 1, 1.0, 1, false);
        assertThat(orphans()).hasSize(1);
        assertStateEmptiedAfterEverything();
    }

    @Test
    void unansweredRequestTimesOutExactlyAtItsDeadline() throws Exception {
        request("r1", T0, 42);
        harness.processBothWatermarks(new Watermark(T0 + T - 1));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processBothWatermarks(new Watermark(T0 + T));
        assertThat(harness.extractOutputValues()).singleElement().satisfies(call -> {
            assertThat(call.timeout).isTrue();
            assertThat(call.eventTime).isEqualTo(T0 + T);
        });
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseAfterTheTimeoutIsLateNotJoined() throws Exception {
        request("r1", T0, 1);
        harness.processBothWatermarks(new Watermark(windowEnd(T0 + T) - 1 + LATENESS));
        response("r1", T0 + T - 10, 1.0, 1, false);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(c -> assertThat(c.timeout).isTrue());
        assertThat(harness.getSideOutput(RequestResponseJoin.LATE_RESPONSES))
                .extracting(r -> r.getValue().requestId)
                .containsExactly("r1");
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseOutsideTheIntervalIsAnOrphanEvenAfterTheTimeout() throws Exception {
        request("r1", T0, 1);
        harness.processBothWatermarks(new Watermark(T0 + T));
        response("r1", T0 + T + 3000, 1.0, 1, false);
        response("r1", T0 + T + 3000, 1.0, 1, false);

        assertThat(orphans())
                .singleElement()
                .satisfies(d -> assertThat(d.reason).contains("outside the join interval"));
        assertThat(harness.getSideOutput(RequestResponseJoin.LATE_RESPONSES)).isNull();
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseWithoutRequestIsAnOrphanOnceALateRequestCouldNoLongerCountAnywhere() throws Exception {
        response("lonely", T0, 1.0, 1, false);
        // A matching request is stamped at most T0 + 5 s; its timeout would count in the window of
        // T0 + 5 s + T, which is closed for good at that window's end plus the lateness.
        long orphanDeadline = windowEnd(T0 + 5000 + T) + LATENESS;
        harness.processBothWatermarks(new Watermark(orphanDeadline - 1));
        assertThat(orphans()).isEmpty();

        harness.processBothWatermarks(new Watermark(orphanDeadline));
        assertThat(orphans()).singleElement().satisfies(d -> {
            assertThat(d.reason).contains("no request");
            assertThat(new String(d.value, StandardCharsets.UTF_8)).contains("\"request_id\":\"lonely\"");
        });
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aRequestArrivingAfterItsResponsesWindowClosedMakesAPairNotAnOrphanPlusATimeout() throws Exception {
        // The response came on time; its request was refused (429) and retried two minutes later.
        response("r1", T0 + 1000, 1000.0, 7, false);
        harness.processBothWatermarks(new Watermark(windowEnd(T0 + 1000) + LATENESS + 60_000));
        request("r1", T0, 3);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(c -> {
            assertThat(c.timeout).isFalse();
            assertThat(c.eventTime)
                    .as("counts at the response, where the window operator finds it late")
                    .isEqualTo(T0 + 1000);
            assertThat(c.completionTokens).isEqualTo(7);
        });
        assertStateEmptiedAfterEverything();
        assertThat(harness.extractOutputValues()).noneMatch(c -> c.timeout);
        assertThat(orphans()).isEmpty();
    }

    @Test
    void aResponseArrivingAfterItsRequestTimedOutTakesTheTimeoutBackWhileItsWindowMayBeRevised() throws Exception {
        // A call sent late (after a client's retry): its request, then a watermark past its deadline,
        // then its response. By event time it had its response: it is a call, not a timeout.
        request("r1", T0, 1);
        harness.processBothWatermarks(new Watermark(T0 + T + 1000));
        response("r1", T0 + 700, 700.0, 1, false);
        assertThat(harness.extractOutputValues())
                .extracting(JoinedCall::toString)
                .containsExactly(
                        "TIMEOUT(r1 acme|chat|gpt-4 @" + (T0 + T) + ")",
                        "RETRACTED-TIMEOUT(r1 acme|chat|gpt-4 @" + (T0 + T) + ")",
                        "CALL(r1 acme|chat|gpt-4 @" + (T0 + 700) + ")");
        assertThat(harness.getSideOutput(RequestResponseJoin.LATE_RESPONSES)).isNull();
        response("r1", T0 + 700, 700.0, 1, false); // its retry changes nothing
        assertThat(harness.extractOutputValues()).hasSize(3);
        assertStateEmptiedAfterEverything();
    }

    @Test
    void aResponseAfterATimeoutWhoseWindowIsClosedForGoodLeavesTheTimeoutAndIsLate() throws Exception {
        request("r2", T0, 1);
        harness.processBothWatermarks(new Watermark(windowEnd(T0 + T) - 1 + LATENESS)); // the deadline's window, too
        response("r2", T0 + 700, 700.0, 1, false);
        assertThat(harness.extractOutputValues())
                .extracting(c -> c.timeout + ":" + c.retraction)
                .containsExactly("true:false");
        assertThat(harness.getSideOutput(RequestResponseJoin.LATE_RESPONSES))
                .extracting(r -> r.getValue().requestId)
                .containsExactly("r2");
    }

    @Test
    void keepsEachWaitingRequestsDeadlineWhenRestoredWithAnotherJoinTimeout() throws Exception {
        request("r1", T0, 1);
        response("early", T0 + 1000, 1.0, 1, false); // a response waiting for its request
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(Duration.ofMillis(2 * T), Duration.ofMillis(LATENESS), Duration.ofMillis(WINDOW));
        harness.initializeState(snapshot);
        harness.open();
        harness.processBothWatermarks(new Watermark(T0 + T));
        assertThat(harness.extractOutputValues())
                .as("the timeout promised under the old timeout")
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.timeout).isTrue();
                    assertThat(c.eventTime).isEqualTo(T0 + T);
                });
        assertStateEmptiedAfterEverything();
        assertThat(orphans()).hasSize(1);
    }

    @Test
    void refusesToRestoreStateWrittenWithAnotherWindowOrLateness() throws Exception {
        request("r1", T0, 1);
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        var otherLateness = harness(Duration.ofMillis(T), Duration.ofMillis(2 * LATENESS), Duration.ofMillis(WINDOW));
        assertThatThrownBy(() -> otherLateness.initializeState(snapshot))
                .isInstanceOf(TimingGuard.IncompatibleRestoreException.class)
                .hasMessageContaining("--allowed-lateness 1m, not 1m and 2m")
                .hasMessageContaining("start without state");
        var otherWindow = harness(Duration.ofMillis(T), Duration.ofMillis(LATENESS), Duration.ofMillis(2 * WINDOW));
        assertThatThrownBy(() -> otherWindow.initializeState(snapshot))
                .isInstanceOf(TimingGuard.IncompatibleRestoreException.class)
                .hasMessageContaining("--window 1m");
        assertThat(TimingGuard.IncompatibleRestoreException.class
                        .getAnnotation(org.apache.flink.runtime.throwable.ThrowableAnnotation.class)
                        .value())
                .as("fails the job instead of restarting it in a loop")
                .isEqualTo(org.apache.flink.runtime.throwable.ThrowableType.NonRecoverableError);

        harness = harness(Duration.ofMillis(2 * T), Duration.ofMillis(LATENESS), Duration.ofMillis(WINDOW));
        harness.initializeState(snapshot); // another join timeout is fine
        harness.open();
    }

    @Test
    void tenantScopedKeysOfDifferentCallsNeverCollide() {
        TelemetryEvent a = TelemetryEvent.request("b|r1", T0, "a", "chat", "m", 1);
        TelemetryEvent ab = TelemetryEvent.request("r1", T0, "a|b", "chat", "m", 1);
        assertThat(RequestResponseJoin.key(a, true)).isNotEqualTo(RequestResponseJoin.key(ab, true));
        assertThat(RequestResponseJoin.key(a, false)).isEqualTo("b|r1");
        TelemetryEvent sameCallsResponse = TelemetryEvent.response("b|r1", T0 + 1, 1.0, 1, false, "a");
        assertThat(RequestResponseJoin.key(sameCallsResponse, true)).isEqualTo(RequestResponseJoin.key(a, true));
    }

    @Test
    void lateRequestWithinTheOrphanDeadlineStillJoins() throws Exception {
        response("r1", T0 + 1000, 1000.0, 1, false);
        harness.processBothWatermarks(new Watermark(T0 + 30_000)); // the request is now behind the watermark
        request("r1", T0, 1);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(c -> assertThat(c.timeout).isFalse());
        assertStateEmptiedAfterEverything();
    }

    @Test
    void responseOfAnotherTenantDoesNotJoin() throws Exception {
        request("r1", T0, 1);
        TelemetryEvent forged = TelemetryEvent.response("r1", T0 + 100, 100.0, 1, false, "intruder");
        harness.processElement2(new StreamRecord<>(forged, forged.timestamp));
        TelemetryEvent own = TelemetryEvent.response("r1", T0 + 200, 200.0, 1, false, "acme");
        harness.processElement2(new StreamRecord<>(own, own.timestamp));

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(c -> assertThat(c.latencyMs).isEqualTo(200.0));
        assertThat(orphans())
                .singleElement()
                .satisfies(d -> assertThat(d.reason).contains("tenant"));
    }

    @Test
    void anotherTenantsResponseArrivingFirstDoesNotTakeTheGenuineOnesPlace() throws Exception {
        TelemetryEvent forged = TelemetryEvent.response("r1", T0 + 100, 100.0, 9999, true, "intruder");
        harness.processElement2(new StreamRecord<>(forged, forged.timestamp));
        TelemetryEvent own = TelemetryEvent.response("r1", T0 + 200, 200.0, 1, false, "acme");
        harness.processElement2(new StreamRecord<>(own, own.timestamp));
        request("r1", T0, 1);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(c -> {
            assertThat(c.latencyMs).isEqualTo(200.0);
            assertThat(c.failed).isFalse();
            assertThat(c.completionTokens).isEqualTo(1);
        });
        assertThat(orphans())
                .singleElement()
                .satisfies(d -> assertThat(d.reason).contains("tenant"));
        assertStateEmptiedAfterEverything();
    }

    @Test
    void aForgedResponseWithTheGenuineTimestampDoesNotMakeTheGenuineOneADuplicate() throws Exception {
        request("r1", T0, 1);
        TelemetryEvent forged = TelemetryEvent.response("r1", T0 + 200, 100.0, 9999, true, "intruder");
        harness.processElement2(new StreamRecord<>(forged, forged.timestamp));
        TelemetryEvent own = TelemetryEvent.response("r1", T0 + 200, 200.0, 1, false, "acme");
        harness.processElement2(new StreamRecord<>(own, own.timestamp));

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(c -> assertThat(c.failed).isFalse());
    }

    @Test
    void responsesOfTooManyTenantsForOneRequestIdAreRefusedWithoutGrowingState() throws Exception {
        for (int i = 0; i < RequestResponseJoin.MAX_WAITING_RESPONSES + 3; i++) {
            TelemetryEvent forged = TelemetryEvent.response("r1", T0 + 100, 100.0, 1, false, "tenant-" + i);
            harness.processElement2(new StreamRecord<>(forged, forged.timestamp));
        }
        assertThat(orphans()).hasSize(3).allSatisfy(d -> assertThat(d.reason).contains("more than"));
        request("r1", T0, 1); // tenant acme: none of them joins
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(orphans()).hasSize(3 + RequestResponseJoin.MAX_WAITING_RESPONSES);
        assertStateEmptiedAfterEverything();
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(c -> assertThat(c.timeout).isTrue());
    }

    @Test
    void aRetriedLateResponseCarryingItsTenantIsSentToLateEventsOnce() throws Exception {
        request("r1", T0, 1);
        harness.processBothWatermarks(new Watermark(windowEnd(T0 + T) - 1 + LATENESS)); // timed out, for good
        for (int i = 0; i < 2; i++) {
            TelemetryEvent late = TelemetryEvent.response("r1", T0 + 1000, 1000.0, 1, false, "acme");
            harness.processElement2(new StreamRecord<>(late, late.timestamp));
        }
        var side = harness.getSideOutput(RequestResponseJoin.LATE_RESPONSES);
        assertThat(side).as("late responses").hasSize(1);
    }

    @Test
    void pairStateIsAPojoWithoutKryoFields() {
        var info = org.apache.flink.api.common.typeinfo.TypeInformation.of(PairState.class);
        assertThat(info).isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
        var pojo = (org.apache.flink.api.java.typeutils.PojoTypeInfo<PairState>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getTypeAt(i))
                    .as(pojo.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(org.apache.flink.api.java.typeutils.GenericTypeInfo.class);
        }
    }

    @Test
    void missingLatencyIsTheTimeBetweenTheEvents() throws Exception {
        request("r1", T0, 1);
        response("r1", T0 + 2345, Double.NaN, 1, false);
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(c -> assertThat(c.latencyMs).isEqualTo(2345.0));
    }

    @Test
    void repeatedRequestAfterCleanupCannotReviveItsWindow() throws Exception {
        request("r1", T0, 1);
        response("r1", T0 + 100, 100.0, 1, false);
        long deadlineWindowEnd = (T0 + T) - Math.floorMod(T0 + T, WINDOW) + WINDOW;
        harness.processBothWatermarks(new Watermark(deadlineWindowEnd + LATENESS - 1));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1); // still deduplicating
        request("r1", T0, 1);
        assertThat(harness.extractOutputValues()).hasSize(1);
        harness.processBothWatermarks(new Watermark(deadlineWindowEnd + LATENESS));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    private void assertStateEmptiedAfterEverything() throws Exception {
        harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));
        assertThat(harness.numKeyedStateEntries()).as("keys left in state").isZero();
        assertThat(harness.numEventTimeTimers()).as("timers left").isZero();
    }

    private void request(String id, long ts, long promptTokens) throws Exception {
        TelemetryEvent e = TelemetryEvent.request(id, ts, "acme", "chat", "gpt-4", promptTokens);
        harness.processElement1(new StreamRecord<>(e, ts));
    }

    private void response(String id, long ts, double latency, long completionTokens, boolean failed) throws Exception {
        TelemetryEvent e = TelemetryEvent.response(id, ts, latency, completionTokens, failed, null);
        harness.processElement2(new StreamRecord<>(e, ts));
    }

    private List<DeadLetter> orphans() {
        var side = harness.getSideOutput(RequestResponseJoin.ORPHANS);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }
}
