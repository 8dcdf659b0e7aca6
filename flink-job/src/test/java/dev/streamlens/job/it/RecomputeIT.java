package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlens.job.JobSettings;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.PriceVersion;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A recompute of a past range beside a running live job, on real Kafka and PostgreSQL: after a
 * price-table change, the range's windows carry the new costs and the same counts (no double
 * counting, also when run twice), every other window is untouched, the live job runs on, and
 * ranges the live job may still revise or Kafka no longer holds are refused.
 */
class RecomputeIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);

    /** gpt-4o twice as dear, and the in-house model (unpriced before) now priced. */
    private static final String NEW_PRICES = """
            {"models": {"gpt-4o": {"input_per_million": 5.0, "output_per_million": 20.0},
                        "gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6},
                        "claude-3-5-sonnet": {"input_per_million": 3.0, "output_per_million": 15.0},
                        "in-house-llm": {"input_per_million": 1.0, "output_per_million": 1.0}}}
            """;

    /** What the test compares beside the metrics: how each stored row was written. */
    private record Written(int revision, String jobRun, Instant updatedAt, BigDecimal cost) {}

    @Test
    void aNewPriceTableRewritesTheRangeOnlyAndCountsNothingTwice() throws Exception {
        long start = Instant.now()
                .minus(40, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        Workload workload =
                Workload.generate(11, 2000, start, Duration.ofMinutes(6).toMillis(), JOIN_TIMEOUT.toMillis(), 3000);
        ExpectedMetrics oldPrices = ExpectedMetrics.of(
                workload, JobRun.PRICES.getBytes(StandardCharsets.UTF_8), 60_000, JOIN_TIMEOUT.toMillis());
        ExpectedMetrics newPrices = ExpectedMetrics.of(
                workload, NEW_PRICES.getBytes(StandardCharsets.UTF_8), 60_000, JOIN_TIMEOUT.toMillis());
        Instant from = Instant.ofEpochMilli(start + Duration.ofMinutes(2).toMillis());
        Instant to = Instant.ofEpochMilli(start + Duration.ofMinutes(5).toMillis());
        ExpectedMetrics afterRecompute = newInRange(oldPrices, newPrices, from, to);
        assertThat(afterRecompute.rows)
                .as("the range must hold windows whose cost changes")
                .anySatisfy((key, row) -> assertThat(row.cost).isNotEqualByComparingTo(oldPrices.rows.get(key).cost));

        Path work = TestDirectories.fresh("recompute-it");
        Path newPriceFile = Files.writeString(work.resolve("new-prices.json"), NEW_PRICES);
        String kafka = KAFKA.bootstrapServers();
        JobRun.produce(kafka, workload.deliveries, 0);
        JobClient live = JobRun.start(JobRun.settings(kafka, POSTGRES.jdbcUrl(), work), work);
        try {
            PipelineAssertions.assertMetricsMatch(oldPrices, kafka, POSTGRES.dataSource());
            awaitFinalUntil(to);
            Map<ExpectedMetrics.Key, Written> before = written();
            int metricsRecords = PipelineOutputs.metricsRecords(kafka).size();

            JobSettings recompute = JobRun.settings(
                    kafka,
                    POSTGRES.jdbcUrl(),
                    work,
                    "--pricing-file",
                    newPriceFile.toString(),
                    "--recompute-from",
                    from.toString(),
                    "--recompute-to",
                    to.toString());
            String firstRun = runToTheEnd(recompute, work);

            JobRun.awaitNoDifferences(
                    "llm_metrics after the recompute",
                    () -> MetricsComparison.differences(afterRecompute, PipelineOutputs.table(POSTGRES.dataSource())),
                    Duration.ofSeconds(30));
            JobRun.awaitNoDifferences(
                    "llm_metrics_hourly after the recompute",
                    () -> MetricsComparison.differences(
                            afterRecompute.hourly(),
                            PipelineOutputs.table(POSTGRES.dataSource(), "llm_metrics_hourly")),
                    Duration.ofSeconds(30));
            Map<ExpectedMetrics.Key, Written> after = written();
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((key, old) -> {
                Written now = after.get(key);
                if (inRange(key, from, to)) {
                    assertThat(now.revision()).as("revision of %s", key).isEqualTo(old.revision() + 1);
                    assertThat(now.jobRun())
                            .as("run of %s", key)
                            .isEqualTo(firstRun)
                            .isNotEqualTo(old.jobRun());
                } else {
                    assertThat(now).as("%s lies outside the range", key).isEqualTo(old);
                }
            });

            // Again: each window is replaced, not added to.
            String secondRun = runToTheEnd(recompute, work);
            assertThat(MetricsComparison.differences(afterRecompute, PipelineOutputs.table(POSTGRES.dataSource())))
                    .isEmpty();
            assertThat(MetricsComparison.differences(
                            afterRecompute.hourly(),
                            PipelineOutputs.table(POSTGRES.dataSource(), "llm_metrics_hourly")))
                    .isEmpty();
            Map<ExpectedMetrics.Key, Written> again = written();
            after.forEach((key, once) -> {
                if (inRange(key, from, to)) {
                    assertThat(again.get(key).revision()).isEqualTo(once.revision() + 1);
                    assertThat(again.get(key).jobRun()).isEqualTo(secondRun);
                } else {
                    assertThat(again.get(key)).isEqualTo(once);
                }
            });

            // A price learnt late: a version in force from the range's start (as PUT /v1/prices publishes
            // it), then the range recomputed with the job's own, older price file: the version prices it.
            try (KafkaProducer<String, byte[]> producer = JobRun.producer(kafka)) {
                producer.send(new ProducerRecord<>(
                                Topics.PRICES, "1", new PriceVersion(1, from, "RecomputeIT", NEW_PRICES).toJson()))
                        .get();
            }
            runToTheEnd(
                    JobRun.settings(
                            kafka,
                            POSTGRES.jdbcUrl(),
                            work,
                            "--recompute-from",
                            from.toString(),
                            "--recompute-to",
                            to.toString()),
                    work);
            assertThat(MetricsComparison.differences(afterRecompute, PipelineOutputs.table(POSTGRES.dataSource())))
                    .as("the range priced by the version")
                    .isEmpty();
            PipelineOutputs.table(POSTGRES.dataSource())
                    .forEach((key, row) -> assertThat(row.priceVersion())
                            .as("price_version of %s", key)
                            .isEqualTo(inRange(key, from, to) ? 1 : 0));

            // The live job ran on undisturbed: no record of the recompute on its topic, no offsets of its group.
            assertThat(live.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(PipelineOutputs.metricsRecords(kafka)).hasSize(metricsRecords);
            try (Admin admin = admin(kafka)) {
                assertThat(admin.listConsumerGroupOffsets(recompute.consumerGroup + "-recompute")
                                .partitionsToOffsetAndMetadata()
                                .get())
                        .isEmpty();
            }

            assertThatThrownBy(() -> JobRun.start(
                            JobRun.settings(
                                    kafka,
                                    POSTGRES.jdbcUrl(),
                                    work,
                                    "--recompute-from",
                                    from.toString(),
                                    "--recompute-to",
                                    Instant.now()
                                            .truncatedTo(ChronoUnit.MINUTES)
                                            .plus(5, ChronoUnit.MINUTES)
                                            .toString()),
                            work))
                    .hasMessageContaining("final_until");

            // Retention deleted the oldest records of a partition: the range can no longer be recomputed whole.
            try (Admin admin = admin(kafka)) {
                admin.deleteRecords(Map.of(new TopicPartition(Topics.REQUESTS, 0), RecordsToDelete.beforeOffset(1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            assertThatThrownBy(() -> JobRun.start(recompute, work))
                    .hasMessageContaining("Kafka has deleted")
                    .hasMessageContaining(Topics.REQUESTS + "-0");
            assertThat(MetricsComparison.differences(afterRecompute, PipelineOutputs.table(POSTGRES.dataSource())))
                    .isEmpty();
        } finally {
            live.cancel().get();
        }
    }

    /** Runs a recompute until it finishes; returns its job run (the id its rows carry). */
    private static String runToTheEnd(JobSettings recompute, Path work) throws Exception {
        JobClient job = JobRun.start(recompute, work);
        job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
        return job.getJobID().toHexString();
    }

    /** The old prices' expectation with the windows of the range taken from the new prices'. */
    private static ExpectedMetrics newInRange(
            ExpectedMetrics oldPrices, ExpectedMetrics newPrices, Instant from, Instant to) {
        ExpectedMetrics mixed = new ExpectedMetrics();
        oldPrices.rows.forEach(
                (key, row) -> mixed.rows.put(key, inRange(key, from, to) ? newPrices.rows.get(key) : row));
        return mixed;
    }

    private static boolean inRange(ExpectedMetrics.Key key, Instant from, Instant to) {
        return key.windowStart() >= from.toEpochMilli() && key.windowStart() < to.toEpochMilli();
    }

    private static Map<ExpectedMetrics.Key, Written> written() throws Exception {
        Map<ExpectedMetrics.Key, Written> rows = new HashMap<>();
        try (Connection c = POSTGRES.dataSource().getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT tenant_id, route, model, window_start, revision, "
                                + "job_run, updated_at, estimated_cost_usd FROM llm_metrics")) {
            while (rs.next()) {
                rows.put(
                        new ExpectedMetrics.Key(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getTimestamp(4).toInstant().toEpochMilli()),
                        new Written(
                                rs.getInt(5),
                                rs.getString(6),
                                rs.getTimestamp(7).toInstant(),
                                rs.getBigDecimal(8)));
            }
        }
        return rows;
    }

    /** Waits until the live job's progress says the range can no longer change. */
    private static void awaitFinalUntil(Instant to) throws Exception {
        JobRun.awaitNoDifferences(
                "final_until",
                () -> {
                    try (Connection c = POSTGRES.dataSource().getConnection()) {
                        var finalUntil = dev.streamlens.job.io.PipelineProgress.finalUntil(c);
                        return finalUntil.isPresent() && !finalUntil.get().isBefore(to)
                                ? List.of()
                                : List.of("final_until " + finalUntil + " before " + to);
                    } catch (java.sql.SQLException e) {
                        return List.of(e.toString());
                    }
                },
                Duration.ofMinutes(1));
    }

    private static Admin admin(String kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka));
    }
}
