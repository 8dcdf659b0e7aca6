package dev.streamlens.job;

import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.io.JdbcTarget;
import dev.streamlens.job.io.KafkaSources;
import dev.streamlens.job.io.PipelineProgress;
import dev.streamlens.job.io.PostgresCommitter;
import dev.streamlens.job.io.PostgresMetricsSink;
import dev.streamlens.job.time.CommittedWatermark;
import dev.streamlens.job.time.EventTimeStrategy;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceVersions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A recompute (docs/RETENTION.md#recompute): the live job's {@link MetricsPipeline}, run once over
 * the records the raw topics received around a past range, rewriting that range's windows in
 * {@code llm_metrics} (and their hours) with the current code and price table. Everything else the
 * live job does is left to it: no clock ticks, no Kafka output, no progress, offsets of its own
 * group never committed, no restore from the live job's checkpoints.
 *
 * <p>Each window of the range is replaced whole, so running a recompute twice counts nothing twice.
 * Only windows the live job can no longer revise may be recomputed, and only while Kafka still
 * holds every record they were computed from: both are checked before the job is built.
 */
public final class RecomputeJob {

    /**
     * Reading starts and ends this much beyond what event time alone needs, for records whose
     * ingest time (their Kafka timestamp) strays from their event time: a skewed client clock, a
     * client that sends in batches. Records outside the range only cost reading time.
     */
    static final Duration READ_MARGIN = Duration.ofHours(1);

    private RecomputeJob() {}

    /** Adds the recompute of {@code [--recompute-from, --recompute-to)} to an environment. */
    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        JobEnvironment.configure(env, settings);
        JdbcTarget postgres = new JdbcTarget(settings.jdbcUrl, settings.jdbcUser, settings.jdbcPassword);
        requireFinal(postgres, settings.recomputeTo);
        // A call counts in the window of its response (or its timeout deadline): its request came up to a join
        // timeout earlier; late records arrive up to the allowed lateness after the watermark passed them.
        long readFrom = settings.recomputeFrom
                .minus(settings.joinTimeout)
                .minus(settings.outOfOrderness)
                .minus(READ_MARGIN)
                .toEpochMilli();
        long readUntil = settings.recomputeTo
                .plus(settings.joinTimeout)
                .plus(settings.allowedLateness)
                .plus(settings.outOfOrderness)
                .plus(READ_MARGIN)
                .toEpochMilli();
        List<String> truncated = new ArrayList<>();
        for (String topic : List.of(Topics.REQUESTS, Topics.RESPONSES)) {
            truncated.addAll(KafkaSources.partitionsTruncatedAfter(settings.kafkaBrokers, topic, readFrom));
        }
        if (!truncated.isEmpty()) {
            throw new IllegalArgumentException(
                    "cannot recompute from " + settings.recomputeFrom + ": Kafka has deleted "
                            + "records received after " + Instant.ofEpochMilli(readFrom) + " from " + truncated
                            + " (topic retention); recompute a later range");
        }

        WatermarkStrategy<TelemetryEvent> eventTime = EventTimeStrategy.of(settings.outOfOrderness);
        String group = settings.consumerGroup + "-recompute";
        DataStream<TelemetryEvent> requests = JobEnvironment.eventSource(
                env,
                settings,
                Topics.REQUESTS,
                KafkaSources.eventsBetween(
                        settings.kafkaBrokers, group, Topics.REQUESTS, readFrom, readUntil, settings.declaredTags()),
                eventTime);
        DataStream<TelemetryEvent> responses = JobEnvironment.eventSource(
                env,
                settings,
                Topics.RESPONSES,
                KafkaSources.eventsBetween(
                        settings.kafkaBrokers, group, Topics.RESPONSES, readFrom, readUntil, settings.declaredTags()),
                eventTime);

        // Dead letters and late events were reported by the live job; here they end in the pipeline.
        // Every price version published so far, read now: the past is priced as the versions say.
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                requests,
                responses,
                MetricsPipeline.Timing.of(settings),
                new MetricsPipeline.Prices(
                        new PriceVersions(
                                CallPricer.load(settings.pricingFile),
                                KafkaSources.publishedPriceVersions(settings.kafkaBrokers)),
                        null),
                settings.tenantScopedRequestIds,
                CommittedWatermark.NONE,
                settings.tagValueCap);
        DataStream<MetricsRow> inRange = out.rows()
                .filter(new WindowsIn(settings.recomputeFrom.toEpochMilli(), settings.recomputeTo.toEpochMilli()))
                .uid("recompute-range")
                .name("windows in the recompute range");
        PostgresMetricsSink.addTo(
                        inRange,
                        postgres,
                        new PipelineProgress.Timing(settings.window, settings.allowedLateness),
                        PostgresCommitter.Mode.RECOMPUTE)
                .uid("sink-postgres-recompute")
                .name("llm_metrics and llm_metrics_hourly (recompute)");
    }

    /** Refuses a range the live job may still revise: its rows would race the live job's. */
    private static void requireFinal(JdbcTarget postgres, Instant to) {
        Instant finalUntil;
        try (Connection c = postgres.connect()) {
            finalUntil = PipelineProgress.finalUntil(c)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "cannot recompute: the live job has committed no progress to pipeline_progress yet"));
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read pipeline_progress from " + postgres + ": " + e.getMessage(), e);
        }
        if (to.isAfter(finalUntil)) {
            throw new IllegalArgumentException("--recompute-to " + to + " is after the live job's final_until "
                    + finalUntil + ": windows after it may still be revised by the live job");
        }
    }

    /** Keeps the rows of windows starting in {@code [from, to)}; windows at the edges were read only in part. */
    static final class WindowsIn implements FilterFunction<MetricsRow> {
        private static final long serialVersionUID = 1L;
        private final long from;
        private final long to;

        WindowsIn(long from, long to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public boolean filter(MetricsRow row) {
            long start = row.windowStart().toEpochMilli();
            return start >= from && start < to;
        }
    }
}
