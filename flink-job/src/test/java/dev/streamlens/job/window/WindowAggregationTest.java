package dev.streamlens.job.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.pricing.PriceCalls;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceVersions;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The window operator as the pipeline builds it: values, cost, revisions on late data, late side output, cleanup. */
class WindowAggregationTest {

    private static final long W0 = Instant.parse("2025-11-20T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long LATENESS = 60_000;
    private static final OutputTag<CallBatch> LATE = new OutputTag<>("late") {};
    /** gpt-4o at the price given here, every other model at the catalog's. */
    private static final CallPricer PRICER = CallPricer.withUserEntries(
            "{\"models\": {\"gpt-4o\": {\"input_per_million\": 2.5, \"output_per_million\": 10.0}}}".getBytes(),
            "test");

    private KeyedOneInputStreamOperatorTestHarness<Tuple3<String, String, String>, CallBatch, MetricsRow> harness;

    @BeforeEach
    void open() throws Exception {
        TypeInformation<Tuple3<String, String, String>> keyType = TypeInformation.of(new TypeHint<>() {});
        WindowOperatorBuilder<CallBatch, Tuple3<String, String, String>, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        CallWindows.of(Duration.ofMillis(MINUTE)),
                        EventTimeTrigger.create(),
                        new ExecutionConfig(),
                        TypeInformation.of(CallBatch.class),
                        new SeriesKey(),
                        keyType);
        builder.allowedLateness(Duration.ofMillis(LATENESS));
        builder.sideOutputLateData(LATE);
        OneInputStreamOperator<CallBatch, MetricsRow> operator = builder.aggregate(
                new CallAggregate(),
                new WindowRowEmitter(PriceVersions.none(PRICER)),
                WindowAccumulatorTypeInfo.INSTANCE);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, new SeriesKey(), keyType);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void firesFullValuesWhenTheWatermarkPassesTheEnd() throws Exception {
        double[] latencies = {100, 200, 300, 400, 1000};
        for (int i = 0; i < latencies.length; i++) {
            add(call("gpt-4o-2024-08-06", W0 + 1000 * i, latencies[i], 100, 200, i == 4));
        }
        add(timeout("gpt-4o-2024-08-06", W0 + 59_999));
        harness.processWatermark(new Watermark(W0 + MINUTE - 2));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(new Watermark(W0 + MINUTE - 1));
        MetricsRow row = single();
        assertThat(row.windowStart()).isEqualTo(Instant.ofEpochMilli(W0));
        assertThat(row.windowEnd()).isEqualTo(Instant.ofEpochMilli(W0 + MINUTE));
        assertThat(row.requests()).isEqualTo(5);
        assertThat(row.errors()).isEqualTo(1);
        assertThat(row.timeouts()).isEqualTo(1);
        assertThat(row.avgLatencyMs()).isCloseTo(400.0, within(1e-9));
        assertThat(row.avgPromptTokens()).isEqualTo(100.0);
        assertThat(row.avgCompletionTokens()).isEqualTo(200.0);
        assertThat(row.totalPromptTokens()).isEqualTo(500);
        assertThat(row.totalCompletionTokens()).isEqualTo(1000);
        // 500 x 2.5 + 1000 x 10.0 USD per million tokens, priced by the longest prefix gpt-4o
        assertThat(row.estimatedCostUsd()).isEqualByComparingTo(new BigDecimal("0.01125"));
        assertThat(row.unpricedRequests()).isZero();
        assertThat(row.p50LatencyMs()).isCloseTo(300.0, within(3.0));
        assertThat(row.p95LatencyMs()).isCloseTo(1000.0, within(10.0));
        assertThat(row.p99LatencyMs()).isCloseTo(1000.0, within(10.0));
        assertThat(LatencySketch.decode(row.latencySketch()).count()).isEqualTo(5);
        assertThat(row.revision()).isEqualTo(1);
    }

    @Test
    void unknownModelsCostNothingAndAreCountedAsUnpriced() throws Exception {
        add(call("in-house-llm", W0, 10, 1000, 1000, false));
        add(call("in-house-llm", W0 + 1, 10, 1000, 1000, false));
        harness.processWatermark(new Watermark(W0 + MINUTE));
        MetricsRow row = single();
        assertThat(row.estimatedCostUsd()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(row.unpricedRequests()).isEqualTo(2);
    }

    @Test
    void windowWithOnlyTimeoutsHasNoAverages() throws Exception {
        add(timeout("gpt-4o", W0 + 10));
        harness.processWatermark(new Watermark(W0 + MINUTE));
        MetricsRow row = single();
        assertThat(row.requests()).isZero();
        assertThat(row.timeouts()).isEqualTo(1);
        assertThat(row.avgLatencyMs()).isNull();
        assertThat(row.p95LatencyMs()).isNull();
        assertThat(row.latencySketch()).isNull();
    }

    @Test
    void lateEventsWithinTheLatenessReviseTheWindowAndLaterOnesGoToTheSide() throws Exception {
        add(call("gpt-4o", W0 + 5, 100, 1, 1, false));
        harness.processWatermark(new Watermark(W0 + MINUTE + 10));
        add(call("gpt-4o", W0 + 6, 300, 1, 1, true)); // late, within the lateness
        harness.processWatermark(new Watermark(W0 + MINUTE - 1 + LATENESS));
        add(call("gpt-4o", W0 + 7, 500, 1, 1, false)); // beyond the lateness

        List<MetricsRow> rows = harness.extractOutputValues();
        assertThat(rows).extracting(MetricsRow::revision).containsExactly(1, 2);
        assertThat(rows.get(0).requests()).isEqualTo(1);
        assertThat(rows.get(1).requests()).isEqualTo(2);
        assertThat(rows.get(1).errors()).isEqualTo(1);
        assertThat(rows.get(1).avgLatencyMs()).isEqualTo(200.0);
        assertThat(harness.getSideOutput(LATE))
                .extracting(r -> r.getValue().single.latencyMs)
                .containsExactly(500.0);
        assertThat(harness.numKeyedStateEntries())
                .as("window state purged after its lateness")
                .isZero();
    }

    @Test
    void aPairWhoseWindowClosedForGoodReachesTheLateOutputOnlyWhenStampedWithItsOwnTime() throws Exception {
        // The response came 3 s before its request (allowed) at the end of a window; the request
        // arrived once that window was closed for good, so the join emitted the pair with the
        // request's timestamp, which lies in the next window and is not late itself.
        long responseTs = W0 + MINUTE - 1000;
        long requestTs = W0 + MINUTE + 2000;
        JoinedCall pair = JoinedCall.completed(
                TelemetryEvent.request("r", requestTs, "acme", "chat", "gpt-4o", 1),
                TelemetryEvent.response("r", responseTs, 10, 1, false, null));
        harness.processWatermark(new Watermark(W0 + MINUTE - 1 + LATENESS + 500));

        harness.processElement(new StreamRecord<>(CallBatch.of(pair), requestTs));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getSideOutput(LATE))
                .as("Flink drops it without a trace")
                .isNull();

        var preAggregator = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<
                JoinedCall, CallBatch>(new CallPreAggregator(MINUTE, 0, 100));
        preAggregator.open();
        preAggregator.processWatermark(new Watermark(W0 + MINUTE - 1 + LATENESS + 500));
        preAggregator.processElement(new StreamRecord<>(pair, requestTs));
        StreamRecord<CallBatch> stamped = new StreamRecord<>(
                preAggregator.extractOutputValues().get(0),
                preAggregator.extractOutputStreamRecords().get(0).getTimestamp());
        preAggregator.close();
        assertThat(stamped.getTimestamp()).isEqualTo(responseTs);

        harness.processElement(stamped);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getSideOutput(LATE))
                .extracting(r -> r.getValue().single.requestId)
                .containsExactly("r");
    }

    @Test
    void everyRowNamesTheJobRunThatComputedIt() throws Exception {
        add(call("gpt-4o", W0 + 5, 100, 1, 1, false));
        harness.processWatermark(new Watermark(W0 + MINUTE));
        assertThat(single().jobRun())
                .isEqualTo(harness.getEnvironment().getJobID().toHexString());
    }

    @Test
    void percentilesStayWithinOnePercentOfTheExactNearestRank() throws Exception {
        double[] latencies = new java.util.Random(7).doubles(999, 1, 30_000).toArray();
        for (double latency : latencies) {
            add(call("gpt-4o", W0 + 100, latency, 1, 1, false));
        }
        harness.processWatermark(new Watermark(W0 + MINUTE));
        MetricsRow row = single();
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        // nearest rank: the ceil(q * n)-th smallest; 999 values: ranks 500, 950 (949.05 -> 950), 990 (989.01 -> 990)
        assertThat(row.p50LatencyMs()).isCloseTo(sorted[499], within(sorted[499] * 0.01));
        assertThat(row.p95LatencyMs()).isCloseTo(sorted[949], within(sorted[949] * 0.01));
        assertThat(row.p99LatencyMs()).isCloseTo(sorted[989], within(sorted[989] * 0.01));
    }

    private MetricsRow single() {
        List<MetricsRow> rows = harness.extractOutputValues();
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private void add(JoinedCall call) throws Exception {
        harness.processElement(new StreamRecord<>(CallBatch.of(call), call.eventTime));
    }

    /** A call as the pipeline hands it to the windows: joined, then priced. */
    private static JoinedCall call(
            String model, long responseTs, double latency, long prompt, long completion, boolean failed) {
        TelemetryEvent request =
                TelemetryEvent.request("id", responseTs - (long) latency, "acme", "chat", model, prompt);
        TelemetryEvent response = TelemetryEvent.response("id", responseTs, latency, completion, failed, null);
        return PriceCalls.price(JoinedCall.completed(request, response), PriceVersions.none(PRICER));
    }

    @Test
    void aTierIsDecidedByEachCallsPromptNeverByTheWindowsSum() throws Exception {
        // Claude Sonnet 4.5 (the catalog): 3 / 15 USD per million, 6 / 22.5 above 200,000 prompt tokens.
        add(call("claude-sonnet-4-5", W0 + 1, 10, 150_000, 1_000, false));
        add(call("claude-sonnet-4-5", W0 + 2, 10, 150_000, 1_000, false));
        add(call("claude-sonnet-4-5", W0 + 3, 10, 250_000, 1_000, false));
        harness.processWatermark(new Watermark(W0 + MINUTE));
        MetricsRow row = single();
        // 300,000 prompt tokens in the window, but only the third call crossed the tier.
        BigDecimal expected = new BigDecimal("300000")
                .multiply(new BigDecimal("3"))
                .add(new BigDecimal("2000").multiply(new BigDecimal("15")))
                .add(new BigDecimal("250000").multiply(new BigDecimal("6")))
                .add(new BigDecimal("1000").multiply(new BigDecimal("22.5")))
                .movePointLeft(6);
        assertThat(row.estimatedCostUsd()).isEqualByComparingTo(expected);
        assertThat(row.unpricedRequests()).isZero();
    }

    private static JoinedCall timeout(String model, long deadline) {
        return JoinedCall.timedOut(TelemetryEvent.request("t", deadline - 300_000, "acme", "chat", model, 5), deadline);
    }

    @Test
    void theAccumulatorFormatReadsStateWrittenBeforeEachOfItsLaterFigures() throws Exception {
        LatencySketch latencies = LatencySketch.create();
        latencies.add(120);
        latencies.add(480);
        // Format 1, as the job wrote it before: six numbers and the sketch.
        org.apache.flink.core.memory.DataOutputSerializer old =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        old.writeLong(2);
        old.writeLong(1);
        old.writeLong(3);
        old.writeLong(700);
        old.writeLong(90);
        old.writeDouble(600.0);
        latencies.writeCompact(old);
        WindowAccumulator restored = WindowAccumulatorSerializer.INSTANCE.deserialize(
                new org.apache.flink.core.memory.DataInputDeserializer(old.getCopyOfBuffer()));
        assertThat(restored.requests).isEqualTo(2);
        assertThat(restored.timeouts).isEqualTo(3);
        assertThat(restored.promptTokens).isEqualTo(700);
        assertThat(restored.latencies.count()).isEqualTo(2);
        assertThat(restored.streamedRequests).isZero();
        assertThat(restored.generationMsSum).isEqualTo(600.0);

        assertThat(restored.truncatedRequests).isZero();

        // Format 2, as the job wrote it before truncated calls were counted: it reads with none.
        restored.cachedPromptTokens = 40;
        restored.cacheWriteTokens = 5;
        restored.reasoningTokens = 7;
        restored.streamedRequests = 1;
        restored.ttfts.add(35);
        org.apache.flink.core.memory.DataOutputSerializer format2 =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        format2.writeLong(-2);
        format2.writeLong(restored.requests);
        format2.writeLong(restored.errors);
        format2.writeLong(restored.timeouts);
        format2.writeLong(restored.promptTokens);
        format2.writeLong(restored.completionTokens);
        format2.writeDouble(restored.latencySumMs);
        restored.latencies.writeCompact(format2);
        format2.writeLong(restored.cachedPromptTokens);
        format2.writeLong(restored.cacheWriteTokens);
        format2.writeLong(restored.reasoningTokens);
        format2.writeLong(restored.streamedRequests);
        format2.writeDouble(restored.generationMsSum);
        restored.ttfts.writeCompact(format2);
        WindowAccumulator fromFormat2 = WindowAccumulatorSerializer.INSTANCE.deserialize(
                new org.apache.flink.core.memory.DataInputDeserializer(format2.getCopyOfBuffer()));
        assertThat(fromFormat2.reasoningTokens).isEqualTo(7);
        assertThat(fromFormat2.ttfts.count()).isEqualTo(1);
        assertThat(fromFormat2.truncatedRequests).isZero();

        // A window from before calls were priced one by one keeps its sums apart, priced on them when
        // it fires: 700 prompt (40 cached, 5 written) and 90 completion tokens of gpt-4o at 2.5 / 10.
        assertThat(fromFormat2.restored.requests).isEqualTo(2);
        assertThat(fromFormat2
                        .totals(PriceVersions.none(PRICER), "gpt-4o", W0, 20)
                        .toRow(
                                "a",
                                "r",
                                "gpt-4o",
                                Instant.ofEpochMilli(W0),
                                Instant.ofEpochMilli(W0 + MINUTE),
                                1,
                                "run")
                        .estimatedCostUsd())
                .isEqualByComparingTo(new BigDecimal("700")
                        .multiply(new BigDecimal("2.5"))
                        .add(new BigDecimal("90").multiply(new BigDecimal("10")))
                        .movePointLeft(6));
        assertThat(fromFormat2
                        .totals(PriceVersions.none(PRICER), "in-house-llm", W0, 20)
                        .toRow(
                                "a",
                                "r",
                                "in-house-llm",
                                Instant.ofEpochMilli(W0),
                                Instant.ofEpochMilli(W0 + MINUTE),
                                1,
                                "run")
                        .unpricedRequests())
                .isEqualTo(2);

        // Format 3 (before per-call costs) reads with its sums kept apart too.
        org.apache.flink.core.memory.DataOutputSerializer format3 =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        format3.write(format2.getCopyOfBuffer());
        format3.writeLong(4);
        byte[] format3Bytes = format3.getCopyOfBuffer();
        format3Bytes[7] = -3; // the marker, -2 written as a long: its last byte
        WindowAccumulator fromFormat3 = WindowAccumulatorSerializer.INSTANCE.deserialize(
                new org.apache.flink.core.memory.DataInputDeserializer(format3Bytes));
        assertThat(fromFormat3.truncatedRequests).isEqualTo(4);
        assertThat(fromFormat3.restored.promptTokens).isEqualTo(700);

        // Format 4 round-trips every field, the calls' costs and restored sums included.
        restored.truncatedRequests = 3;
        restored.costPicoDollars = 123_456_789;
        restored.unpricedRequests = 1;
        restored.priceVersion = 5;
        restored.restored = fromFormat3.restored;
        // A window from before end users and sessions were kept counts its calls under no id.
        assertThat(restored.users.merged().of(Contributors.NO_ID).counted(Figure.REQUESTS))
                .isEqualTo(2);
        assertThat(restored.sessions.merged().of(Contributors.NO_ID).counted(Figure.TOKENS))
                .isEqualTo(790);
        restored.users.add("alice", 10, 5, true);
        restored.sessions.add("s-1", 10, 5, true);
        org.apache.flink.core.memory.DataOutputSerializer now =
                new org.apache.flink.core.memory.DataOutputSerializer(256);
        WindowAccumulatorSerializer.INSTANCE.serialize(restored, now);
        WindowAccumulator again = WindowAccumulatorSerializer.INSTANCE.deserialize(
                new org.apache.flink.core.memory.DataInputDeserializer(now.getCopyOfBuffer()));
        assertThat(again.requests).isEqualTo(2);
        assertThat(again.cachedPromptTokens).isEqualTo(40);
        assertThat(again.cacheWriteTokens).isEqualTo(5);
        assertThat(again.reasoningTokens).isEqualTo(7);
        assertThat(again.streamedRequests).isEqualTo(1);
        assertThat(again.ttfts.count()).isEqualTo(1);
        assertThat(again.truncatedRequests).isEqualTo(3);
        assertThat(again.costPicoDollars).isEqualTo(123_456_789);
        assertThat(again.unpricedRequests).isEqualTo(1);
        assertThat(again.priceVersion).isEqualTo(5);
        assertThat(again.restored.completionTokens).isEqualTo(90);
        assertThat(again.latencies.quantile(0.99)).isEqualTo(restored.latencies.quantile(0.99));
        assertThat(again.users.merged().of("alice").counted(Figure.ERRORS)).isEqualTo(1);
        assertThat(again.sessions.merged().of("s-1").counted(Figure.TOKENS)).isEqualTo(5);
        assertThat(again.users.merged().total(Figure.REQUESTS)).isEqualTo(3);

        // Format 4 (before end users and sessions): its calls count under no id, with their costs.
        org.apache.flink.core.memory.DataOutputSerializer summaries =
                new org.apache.flink.core.memory.DataOutputSerializer(64);
        restored.users.write(summaries);
        restored.sessions.write(summaries);
        byte[] format4 = Arrays.copyOf(now.getCopyOfBuffer(), now.length() - summaries.length());
        format4[7] = -4;
        WindowAccumulator fromFormat4 = WindowAccumulatorSerializer.INSTANCE.deserialize(
                new org.apache.flink.core.memory.DataInputDeserializer(format4));
        assertThat(fromFormat4.costPicoDollars).isEqualTo(123_456_789);
        for (Contributors summary : List.of(fromFormat4.users.merged(), fromFormat4.sessions.merged())) {
            Contributors.Contributor none = summary.of(Contributors.NO_ID);
            assertThat(none.counted(Figure.REQUESTS)).isEqualTo(2);
            assertThat(none.counted(Figure.COST_NANO_USD)).isEqualTo(123_457);
            assertThat(summary.heaviest(Figure.REQUESTS, 10)).hasSize(1);
        }
    }

    @Test
    void summariesMergedInChunksEqualOneSummaryOfEveryCall() throws Exception {
        WindowAccumulator window = new WindowAccumulator();
        dev.streamlens.model.attribution.Contributors direct = Contributors.forRow();
        for (int batch = 0; batch < 3 * ContributorChunks.MAX_CHUNKS; batch++) {
            WindowAccumulator calls = new WindowAccumulator();
            for (int i = 0; i < 20; i++) {
                JoinedCall call = call("gpt-4o", W0 + batch, 50, 10 + i, i, i % 7 == 0);
                call.userId = "user-" + (batch * 7 + i) % 90;
                calls.add(call);
                direct.add(call.userId, WindowAccumulator.nanoDollars(call.costPicoDollars), 10 + i + i, i % 7 == 0);
            }
            // through the state's serializer each time, as RocksDB does
            org.apache.flink.core.memory.DataOutputSerializer out =
                    new org.apache.flink.core.memory.DataOutputSerializer(64);
            WindowAccumulatorSerializer.INSTANCE.serialize(window, out);
            window = WindowAccumulatorSerializer.INSTANCE.deserialize(
                    new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
            window.merge(calls);
        }
        Contributors merged = window.users.merged();
        for (Figure figure : Figure.values()) {
            assertThat(merged.total(figure)).isEqualTo(direct.total(figure));
            for (String id : direct.ids()) {
                assertThat(merged.of(id).counted(figure))
                        .as("%s of %s", figure, id)
                        .isEqualTo(direct.of(id).counted(figure));
            }
        }
    }

    @Test
    void aWindowsRowSaysWhichEndUsersAndSessionsItsCallsWereFor() throws Exception {
        // user-k makes k calls, each in session user-k/s(i % 2); every third call has no user.
        java.util.Map<String, long[]> expectedUsers = new java.util.HashMap<>();
        java.util.Map<String, long[]> expectedSessions = new java.util.HashMap<>();
        int n = 0;
        for (int k = 1; k <= 30; k++) {
            for (int i = 0; i < k; i++) {
                n++;
                JoinedCall call = call("gpt-4o", W0 + n, 50, 100L * k, 10L * i, i % 5 == 4);
                call.userId = n % 3 == 0 ? null : "user-" + k;
                call.sessionId = "user-" + k + "/s" + (i % 2);
                add(call);
                long cost = WindowAccumulator.nanoDollars(call.costPicoDollars);
                for (var entry : java.util.Map.of(
                                call.userId == null ? Contributors.NO_ID : call.userId,
                                expectedUsers,
                                call.sessionId,
                                expectedSessions)
                        .entrySet()) {
                    long[] f = entry.getValue().computeIfAbsent(entry.getKey(), id -> new long[4]);
                    f[Figure.COST_NANO_USD.ordinal()] += cost;
                    f[Figure.REQUESTS.ordinal()]++;
                    f[Figure.TOKENS.ordinal()] += call.promptTokens + call.completionTokens;
                    f[Figure.ERRORS.ordinal()] += call.failed ? 1 : 0;
                }
            }
        }
        add(timeout("gpt-4o", W0 + 59_000));
        harness.processWatermark(new Watermark(W0 + MINUTE));
        MetricsRow row = single();
        Contributors users = Contributors.decode(row.topUsers());
        Contributors sessions = Contributors.decode(row.topSessions());
        // 31 ids and 60 sessions: within twice the capacity of a row, so every figure is exact.
        for (var expected :
                List.of(java.util.Map.entry(users, expectedUsers), java.util.Map.entry(sessions, expectedSessions))) {
            for (Figure figure : Figure.values()) {
                assertThat(expected.getKey().errorBound(figure)).isZero();
                for (var id : expected.getValue().entrySet()) {
                    assertThat(expected.getKey().of(id.getKey()).counted(figure))
                            .as("%s of %s", figure, id.getKey())
                            .isEqualTo(id.getValue()[figure.ordinal()]);
                }
            }
        }
        assertThat(users.total(Figure.REQUESTS)).isEqualTo(row.requests()).isEqualTo(n);
        assertThat(users.total(Figure.ERRORS)).isEqualTo(row.errors());
        assertThat(users.total(Figure.TOKENS)).isEqualTo(row.totalPromptTokens() + row.totalCompletionTokens());
        assertThat(users.heaviest(Figure.COST_NANO_USD, 2))
                .extracting(Contributors.Contributor::id)
                .as("calls without a user (a third) first, then the user with the most and largest calls")
                .containsExactly(Contributors.NO_ID, "user-30");
    }

    /**
     * A tenant's declared keys: 26 values of feature (more than the cap of 20) and two of
     * environment. The row keeps, per key, the 20 values with the most calls and sums the others
     * under other, computed here from the calls.
     */
    @Test
    void aWindowsRowCountsTheCallsOfEachTagValueUpToTheCap() throws Exception {
        java.util.Map<String, long[]> exact = new java.util.HashMap<>(); // id -> requests, cost, tokens, errors
        int n = 0;
        for (int k = 1; k <= 26; k++) {
            for (int i = 0; i < k; i++) {
                n++;
                JoinedCall call = call("gpt-4o", W0 + n, 40, 10L * k, 5L * i, i % 7 == 6);
                String feature = k == 26 ? dev.streamlens.model.attribution.Tags.NO_VALUE : "f" + (100 + k);
                call.tags = new String[] {"feature=" + feature, "environment=" + (n % 4 == 0 ? "staging" : "prod")};
                add(call);
                for (String tag : call.tags) {
                    long[] f = exact.computeIfAbsent(tag, id -> new long[4]);
                    f[0]++;
                    f[1] += WindowAccumulator.nanoDollars(call.costPicoDollars);
                    f[2] += call.promptTokens + call.completionTokens;
                    f[3] += call.failed ? 1 : 0;
                }
            }
        }
        JoinedCall untagged = call("gpt-4o", W0 + 59_500, 10, 10, 10, false); // a tenant without keys
        add(untagged);
        harness.processWatermark(new Watermark(W0 + MINUTE));
        MetricsRow row = single();

        // The cap's rule over the exact sums: values f101..f125 by calls, f106..f125 keep their names.
        java.util.Map<String, long[]> expected = new java.util.HashMap<>();
        for (var entry : exact.entrySet()) {
            String id = entry.getKey();
            int k = id.startsWith("feature=f") ? Integer.parseInt(id.substring("feature=f".length())) - 100 : 99;
            String into = k < 6 ? "feature=other" : id;
            long[] sums = expected.computeIfAbsent(into, x -> new long[4]);
            for (int f = 0; f < 4; f++) {
                sums[f] += entry.getValue()[f];
            }
        }
        Contributors tags = Contributors.decode(row.topTags());
        assertThat(tags.ids()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (var entry : expected.entrySet()) {
            var figures = tags.of(entry.getKey());
            assertThat(new long[] {
                        figures.counted(Figure.REQUESTS),
                        figures.counted(Figure.COST_NANO_USD),
                        figures.counted(Figure.TOKENS),
                        figures.counted(Figure.ERRORS)
                    })
                    .as(entry.getKey())
                    .containsExactly(entry.getValue());
        }
        assertThat(row.requests()).isEqualTo(n + 1);
        assertThat(tags.total(Figure.REQUESTS))
                .as("each tagged call once per key")
                .isEqualTo(2L * n);
    }
}
