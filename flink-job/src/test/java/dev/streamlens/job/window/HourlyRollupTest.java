package dev.streamlens.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Minute rows roll up into their hour; a revised minute replaces its earlier revision; state ends with the hour. */
class HourlyRollupTest {

    private static final Instant HOUR = Instant.parse("2025-11-20T10:00:00Z");
    private static final Duration LATENESS = Duration.ofMinutes(1);

    private KeyedOneInputStreamOperatorTestHarness<Tuple4<String, String, String, Long>, MetricsRow, MetricsRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new HourlyRollup(LATENESS)),
                new HourlyRollup.HourKey(), TypeInformation.of(new TypeHint<Tuple4<String, String, String, Long>>() { }));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void revisedMinutesReplaceTheirEarlierRevision() throws Exception {
        add(minute(0, 1, new double[] {100, 200}, "0.10"));
        add(minute(1, 1, new double[] {300}, "0.20"));
        add(minute(0, 2, new double[] {100, 200, 400}, "0.15"));   // minute 0 revised: replaces, not adds

        List<MetricsRow> out = harness.extractOutputValues();
        assertThat(out).extracting(MetricsRow::revision).containsExactly(1, 2, 3);
        MetricsRow hour = out.get(2);
        assertThat(hour.windowStart()).isEqualTo(HOUR);
        assertThat(hour.windowEnd()).isEqualTo(HOUR.plusSeconds(3600));
        assertThat(hour.requests()).isEqualTo(4);
        assertThat(hour.avgLatencyMs()).isEqualTo(250.0);
        assertThat(hour.estimatedCostUsd()).isEqualByComparingTo("0.35");
        assertThat(LatencySketch.decode(hour.latencySketch()).count()).isEqualTo(4);
        assertThat(hour.p99LatencyMs()).isCloseTo(400.0, org.assertj.core.data.Offset.offset(4.0));
    }

    @Test
    void stateIsDroppedOnceNoMinuteOfTheHourCanChange() throws Exception {
        add(minute(59, 1, new double[] {10}, "0.01"));
        harness.processWatermark(new Watermark(HOUR.plusSeconds(3600).plus(LATENESS).toEpochMilli() - 1));
        assertThat(harness.numKeyedStateEntries()).isPositive();
        harness.processWatermark(new Watermark(HOUR.plusSeconds(3600).plus(LATENESS).toEpochMilli()));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    private void add(MetricsRow row) throws Exception {
        harness.processElement(new StreamRecord<>(row, row.windowEnd().toEpochMilli() - 1));
    }

    private static MetricsRow minute(int minute, int revision, double[] latencies, String cost) {
        LatencySketch sketch = LatencySketch.create();
        double sum = 0;
        for (double l : latencies) {
            sketch.add(l);
            sum += l;
        }
        Instant start = HOUR.plusSeconds(60L * minute);
        return new MetricsRow("acme", "chat", "gpt-4o", start, start.plusSeconds(60), latencies.length, 0, 0,
                sum / latencies.length, null, null, null, 1.0, 1.0, latencies.length, latencies.length, sum,
                new BigDecimal(cost), 0, sketch.encode(), revision);
    }
}
