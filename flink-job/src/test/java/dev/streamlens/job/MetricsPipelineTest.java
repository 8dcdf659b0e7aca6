package dev.streamlens.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.EventDecoder;
import dev.streamlens.job.events.LateEvent;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.PipelineOutputs;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.CallPricer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The real {@link MetricsPipeline} (validation, join, windows, prices) on in-memory sources and
 * collecting sinks, checked against the same independent expectation as the integration tests:
 * seconds, no broker, no database. What only real Kafka and PostgreSQL can show (exactly once,
 * restores, watermarks from partitions) stays in the {@code *IT} classes.
 */
class MetricsPipelineTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final byte[] PRICES = """
            {"models": {"gpt-4o": {"input_per_million": 2.5, "output_per_million": 10.0, "cache_read_per_million": 1.25},
                        "gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6},
                        "claude-3-5-sonnet": {"input_per_million": 3.0, "output_per_million": 15.0,
                                              "cache_read_per_million": 0.3, "cache_write_per_million": 3.75}}}
            """.getBytes(StandardCharsets.UTF_8);

    @Test
    void everyWindowMatchesTheIndependentlyComputedMetrics() throws Exception {
        long start = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
        // Records arrive up to 3 s behind their time, within the 5 s out-of-orderness: nothing is late.
        Workload workload =
                Workload.generate(11, 2000, start, Duration.ofMinutes(6).toMillis(), JOIN_TIMEOUT.toMillis(), 3000);
        ExpectedMetrics expected = ExpectedMetrics.of(workload, PRICES, WINDOW.toMillis(), JOIN_TIMEOUT.toMillis());
        assertThat(expected.rows).hasSizeGreaterThan(100);
        assertThat(expected.rows.values().stream().mapToLong(r -> r.timeouts).sum())
                .isPositive();
        assertThat(expected.rows.values().stream().mapToLong(r -> r.unpriced).sum())
                .isPositive();
        assertThat(expected.orphans).isPositive();
        assertThat(expected.rows.values().stream()
                        .mapToLong(r -> r.cachedPromptTokens)
                        .sum())
                .isPositive();
        assertThat(expected.rows.values().stream()
                        .mapToLong(r -> r.cacheWriteTokens)
                        .sum())
                .isPositive();
        assertThat(expected.rows.values().stream()
                        .mapToLong(r -> r.reasoningTokens)
                        .sum())
                .isPositive();
        assertThat(expected.rows.values().stream().mapToInt(r -> r.ttfts.size()).sum())
                .isPositive();
        assertThat(expected.rows.values().stream().mapToLong(r -> r.truncated).sum())
                .isPositive();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                source(env, decoded(workload, Topics.REQUESTS), "requests"),
                source(env, decoded(workload, Topics.RESPONSES), "responses"),
                new MetricsPipeline.Timing(WINDOW, JOIN_TIMEOUT, Duration.ofMinutes(1)),
                CallPricer.withUserEntries(PRICES, "test prices"));
        CloseableIterator<MetricsRow> rows = out.rows().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = out.deadLetters().collectAsync();
        CloseableIterator<LateEvent> lateEvents = out.lateEvents().collectAsync();
        env.execute("metrics pipeline test");

        Map<ExpectedMetrics.Key, PipelineOutputs.Actual> latest = latestRevisions(rows);
        assertThat(MetricsComparison.differences(expected, latest)).isEmpty();
        assertThat(count(deadLetters)).isEqualTo(expected.orphans);
        assertThat(count(lateEvents)).isZero();
    }

    /**
     * The records of one topic in delivery order, decoded as the Kafka source decodes them, with the
     * tag key {@code feature} declared for every tenant (each row's values are compared).
     */
    private static List<TelemetryEvent> decoded(Workload workload, String topic) {
        EventDecoder decoder = new EventDecoder(dev.streamlens.model.attribution.TagKeys.parse("feature"));
        List<TelemetryEvent> events = new ArrayList<>();
        for (Workload.Delivery d : workload.deliveries) {
            if (d.topic().equals(topic)) {
                events.add(decoder.decode(topic, d.key().getBytes(StandardCharsets.UTF_8), d.value(), d.deliverAt()));
            }
        }
        return events;
    }

    /** Event time from the events, bounded out-of-orderness: the end of the input closes every window and timeout. */
    private static DataStream<TelemetryEvent> source(
            StreamExecutionEnvironment env, List<TelemetryEvent> events, String name) {
        return env.fromData(events, TypeInformation.of(TelemetryEvent.class))
                .name(name)
                .uid("source-" + name)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<TelemetryEvent>forBoundedOutOfOrderness(OUT_OF_ORDERNESS)
                                .withTimestampAssigner((event, previous) -> event.timestamp))
                .name("event time of " + name)
                .uid("event-time-" + name);
    }

    private static Map<ExpectedMetrics.Key, PipelineOutputs.Actual> latestRevisions(CloseableIterator<MetricsRow> rows)
            throws Exception {
        Map<ExpectedMetrics.Key, MetricsRow> latest = new HashMap<>();
        try (rows) {
            rows.forEachRemaining(row -> latest.merge(
                    new ExpectedMetrics.Key(
                            row.tenantId(),
                            row.route(),
                            row.model(),
                            row.windowStart().toEpochMilli()),
                    row,
                    (a, b) -> a.revision() >= b.revision() ? a : b));
        }
        Map<ExpectedMetrics.Key, PipelineOutputs.Actual> actual = new HashMap<>();
        latest.forEach((key, r) -> actual.put(
                key,
                new PipelineOutputs.Actual(
                        r.requests(),
                        r.errors(),
                        r.timeouts(),
                        r.avgLatencyMs(),
                        r.p50LatencyMs(),
                        r.p95LatencyMs(),
                        r.p99LatencyMs(),
                        r.avgPromptTokens(),
                        r.avgCompletionTokens(),
                        r.totalPromptTokens(),
                        r.totalCompletionTokens(),
                        r.estimatedCostUsd(),
                        r.unpricedRequests(),
                        r.revision(),
                        r.cachedPromptTokens(),
                        r.cacheWriteTokens(),
                        r.reasoningTokens(),
                        r.streamedRequests(),
                        r.p50TtftMs(),
                        r.p95TtftMs(),
                        r.p99TtftMs(),
                        r.outputTokensPerSecond(),
                        r.truncatedRequests(),
                        r.priceVersion(),
                        PipelineOutputs.Attributed.of(r.topUsers()),
                        PipelineOutputs.Attributed.of(r.topSessions()),
                        PipelineOutputs.Attributed.ofTag(r.topTags(), "feature"))));
        return actual;
    }

    private static long count(CloseableIterator<?> records) throws Exception {
        long n = 0;
        try (records) {
            while (records.hasNext()) {
                records.next();
                n++;
            }
        }
        return n;
    }
}
