package dev.streamlens.job.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.TelemetryEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The join's state as an earlier build wrote it restores into this one, on both state backends,
 * and every pair goes on as it would have: a waiting request still joins its response, a waiting
 * response its request, a joined pair still refuses a duplicate, a timed-out request still takes
 * its timeout back, and all state is gone in the end.
 *
 * <p>The files under {@code src/test/resources/join-state/} are operator snapshots written by
 * {@link #writeSnapshotsOfThisBuild} on the build their name says ({@code pojo}: TelemetryEvent
 * serialized as a Flink POJO, before its compact serializer; {@code events-compact}: the compact
 * events inside a POJO {@code PairState}, request_ids written by Flink's StringSerializer, as the job
 * was before {@link JoinKeySerializer}). Keep them when the format changes;
 * write a new pair with {@code -Dstreamlens.write-join-snapshots=<name>} and restore both here.
 */
class JoinStateMigrationTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Duration LATENESS = Duration.ofMinutes(1);
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final long T0 = Instant.parse("2025-11-20T10:00:30Z").toEpochMilli();
    /** The timed-out request's deadline lies 10 s before T0, so the watermark at T0 fired it. */
    private static final long TIMED_OUT_AT = T0 - TIMEOUT.toMillis() - 10_000;

    private static final Path SNAPSHOTS = Path.of("src/test/resources/join-state");

    @ParameterizedTest
    @CsvSource({"pojo, hashmap", "pojo, rocksdb", "events-compact, hashmap", "events-compact, rocksdb"})
    void statePreservedFromAnEarlierBuildRestoresAndEveryPairGoesOn(String build, String backend) throws Exception {
        OperatorSubtaskState written = OperatorSnapshotUtil.readStateHandle(
                SNAPSHOTS.resolve(build + "-" + backend + ".snapshot").toString());
        everyPairGoesOnFrom(written, backend);
    }

    /** After a restore the state is written in this build's format, and that restores too. */
    @ParameterizedTest
    @CsvSource({"pojo, hashmap", "pojo, rocksdb", "events-compact, hashmap", "events-compact, rocksdb"})
    void theMigratedStateRestoresAgain(String build, String backend) throws Exception {
        OperatorSubtaskState written = OperatorSnapshotUtil.readStateHandle(
                SNAPSHOTS.resolve(build + "-" + backend + ".snapshot").toString());
        OperatorSubtaskState rewritten;
        try (var harness = harness(backend)) {
            harness.setup();
            harness.initializeState(written);
            harness.open();
            rewritten = harness.snapshot(2, 2);
        }
        everyPairGoesOnFrom(rewritten, backend);
    }

    private static void everyPairGoesOnFrom(OperatorSubtaskState state, String backend) throws Exception {
        try (var harness = harness(backend)) {
            harness.setup();
            harness.initializeState(state);
            harness.open();

            harness.processElement2(new StreamRecord<>(response("waiting", T0 + 1200, 1200.0), T0 + 1200));
            harness.processElement1(new StreamRecord<>(request("early", T0, 7), T0));
            harness.processElement2(new StreamRecord<>(response("joined", T0 + 500, 500.0), T0 + 500));
            harness.processElement2(
                    new StreamRecord<>(response("timed-out", TIMED_OUT_AT + 2000, 2000.0), TIMED_OUT_AT + 2000));

            List<JoinedCall> calls = harness.extractOutputValues();
            assertThat(calls)
                    .extracting(JoinedCall::toString)
                    .containsExactly(
                            "CALL(waiting acme|chat|gpt-4 @" + (T0 + 1200) + ")",
                            "CALL(early acme|chat|gpt-4 @" + (T0 + 800) + ")",
                            "RETRACTED-TIMEOUT(timed-out acme|chat|gpt-4 @" + (TIMED_OUT_AT + TIMEOUT.toMillis()) + ")",
                            "CALL(timed-out acme|chat|gpt-4 @" + (TIMED_OUT_AT + 2000) + ")");
            // The restored requests' own fields: prompt tokens 100 for "waiting" (written before), 7 for "early" (now).
            assertThat(calls.get(0).promptTokens).isEqualTo(100);
            assertThat(calls.get(0).latencyMs).isEqualTo(1200.0);
            assertThat(calls.get(1).promptTokens).isEqualTo(7);
            assertThat(calls.get(1).latencyMs).isEqualTo(800.0);
            assertThat(calls.get(3).promptTokens).isEqualTo(100);

            harness.processBothWatermarks(new Watermark(T0 + Duration.ofHours(1).toMillis()));
            assertThat(harness.extractOutputValues())
                    .as("no timeout for a joined request")
                    .hasSize(4);
            assertThat(harness.numEventTimeTimers()).isZero();
            try (var keys = harness.getOperator().getKeyedStateBackend().getKeys("pair", VoidNamespace.INSTANCE)) {
                assertThat(keys).as("request_ids with state").isEmpty();
            }
        }
    }

    /** Writes this build's snapshots; see the class comment. Not part of the suite. */
    @Test
    @EnabledIfSystemProperty(named = "streamlens.write-join-snapshots", matches = ".+")
    void writeSnapshotsOfThisBuild() throws Exception {
        String name = System.getProperty("streamlens.write-join-snapshots");
        Files.createDirectories(SNAPSHOTS);
        for (String backend : List.of("hashmap", "rocksdb")) {
            try (var harness = harness(backend)) {
                harness.open();
                harness.processElement1(new StreamRecord<>(request("waiting", T0, 100), T0));
                harness.processElement2(new StreamRecord<>(response("early", T0 + 800, 800.0), T0 + 800));
                harness.processElement1(new StreamRecord<>(request("joined", T0, 100), T0));
                harness.processElement2(new StreamRecord<>(response("joined", T0 + 500, 500.0), T0 + 500));
                harness.processElement1(new StreamRecord<>(request("timed-out", TIMED_OUT_AT, 100), TIMED_OUT_AT));
                harness.processBothWatermarks(new Watermark(T0));
                assertThat(harness.extractOutputValues())
                        .extracting(JoinedCall::toString)
                        .containsExactly(
                                "CALL(joined acme|chat|gpt-4 @" + (T0 + 500) + ")",
                                "TIMEOUT(timed-out acme|chat|gpt-4 @" + (TIMED_OUT_AT + TIMEOUT.toMillis()) + ")");
                OperatorSnapshotUtil.writeStateHandle(
                        harness.snapshot(1, 1),
                        SNAPSHOTS.resolve(name + "-" + backend + ".snapshot").toString());
            }
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, TelemetryEvent, TelemetryEvent, JoinedCall> harness(
            String backend) throws Exception {
        var harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new RequestResponseJoin(TIMEOUT, LATENESS, WINDOW)),
                (TelemetryEvent e) -> e.requestId,
                (TelemetryEvent e) -> e.requestId,
                JoinKeySerializer.TYPE); // as the job keys the join
        StateBackend stateBackend =
                "rocksdb".equals(backend) ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        harness.setStateBackend(stateBackend);
        return harness;
    }

    private static TelemetryEvent request(String id, long timestamp, long promptTokens) {
        return TelemetryEvent.request(id, timestamp, "acme", "chat", "gpt-4", promptTokens);
    }

    private static TelemetryEvent response(String id, long timestamp, double latencyMs) {
        return TelemetryEvent.response(id, timestamp, latencyMs, 25, false, null);
    }
}
