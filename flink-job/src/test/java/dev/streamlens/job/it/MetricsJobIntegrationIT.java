package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.JobSettings;
import dev.streamlens.job.io.KafkaSinks;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job on a mini-cluster against real Kafka and PostgreSQL: every row of llm_metrics and
 * every committed record of llm.metrics equals the expectation computed from the same events.
 */
class MetricsJobIntegrationIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void everyWindowMatchesTheIndependentlyComputedMetrics() throws Exception {
        // Event time in the recent past: the watermark follows the events while they flow, and the
        // wall clock once they stop, so every window and timeout closes at the end.
        long start = Instant.now()
                .minus(40, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        Workload workload =
                Workload.generate(42, 3000, start, Duration.ofMinutes(6).toMillis(), JOIN_TIMEOUT.toMillis(), 3000);
        ExpectedMetrics expected = ExpectedMetrics.of(
                workload, JobRun.PRICES.getBytes(StandardCharsets.UTF_8), 60_000, JOIN_TIMEOUT.toMillis());

        assertWorkloadCoversEveryCase(expected);

        Path work = TestDirectories.fresh("job-it");
        JobSettings settings = JobRun.settings(KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), work);
        JobRun.produce(KAFKA.bootstrapServers(), workload.deliveries, 0);
        JobClient job = JobRun.start(settings, work);
        try {
            PipelineAssertions.assertOutputsMatch(expected, KAFKA.bootstrapServers(), POSTGRES.dataSource());
            var deadLetters = PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.DEAD_LETTER);
            assertThat(deadLetters)
                    .allSatisfy(r -> assertThat(new String(
                                    r.headers()
                                            .lastHeader(KafkaSinks.REASON_HEADER)
                                            .value(),
                                    StandardCharsets.UTF_8))
                            .startsWith("orphan response"));
            assertThat(PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.LATE_EVENTS))
                    .isEmpty();
        } finally {
            job.cancel().get();
        }
    }

    /** The expectation must exercise errors, timeouts, unpriced models and orphans, or the test proves little. */
    static void assertWorkloadCoversEveryCase(ExpectedMetrics expected) {
        assertThat(expected.rows).hasSizeGreaterThan(100);
        assertThat(expected.rows.values().stream().mapToLong(r -> r.errors).sum())
                .isPositive();
        assertThat(expected.rows.values().stream().mapToLong(r -> r.timeouts).sum())
                .isPositive();
        assertThat(expected.rows.values().stream().mapToLong(r -> r.unpriced).sum())
                .isPositive();
        assertThat(expected.rows.values().stream().filter(r -> r.requests == 0)).isNotEmpty();
        assertThat(expected.orphans).isPositive();
    }
}
