package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlens.job.JobSettings;
import dev.streamlens.job.StreamLensJob;
import dev.streamlens.model.Topics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator does to the job in its first weeks leaves the numbers right: a stop with
 * drain and a restore from its savepoint, event topics someone else created, and partitions added
 * to them (the outages of its servers: {@link DayTwoOutagesIT}). The real job runs in a process of
 * its own against live traffic; the outputs are compared with the expectation computed
 * independently from what was written to Kafka.
 */
class DayTwoOperationsIT {

    @RegisterExtension
    final TestStack stack = new TestStack();

    @Test
    void aJobStoppedWithDrainCountsEveryCallAfterItsRestore() throws Exception {
        Workload before;
        Path savepoint;
        try (JobProcess first =
                JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), LiveTraffic.jobOptions())) {
            before = LiveTraffic.workload(501, 300, Duration.ofSeconds(6)); // stamped from now on
            stack.traffic().play(before).get(1, TimeUnit.MINUTES);
            // Every record of the first workload read before the drain, its orphans' dead letters too: a
            // duplicate response still unread would meet, after the restore, a pair the drain's
            // end-of-time timers cleared, and become an orphan (seen once under load: 21 dead letters, not 20).
            PipelineAssertions.assertOutputsMatch(LiveTraffic.expected(before), stack.kafka(), stack.postgres());
            // The end-of-time watermark passes through every operator before the savepoint.
            savepoint = first.stopWithDrain(stack.work.resolve("savepoints"));
        }
        long drainedProgress = progressWatermark();
        assertThat(drainedProgress)
                .as("the progress a drain leaves in PostgreSQL")
                .isLessThan(System.currentTimeMillis() + Duration.ofMinutes(1).toMillis());

        // Restored from the drained savepoint (`flink run -s`), the job counts calls again: windows
        // open and fire, timeouts fire, nothing new goes to llm.late-events.
        List<String> restore =
                LiveTraffic.jobOptions("--from-savepoint", savepoint.toUri().toString());
        try (JobProcess second = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), restore)) {
            Workload after = LiveTraffic.workload(502, 300, Duration.ofSeconds(6));
            stack.traffic().play(after).get(1, TimeUnit.MINUTES);
            ExpectedMetrics expected = LiveTraffic.expected(before, after);
            PipelineAssertions.assertOutputsMatch(expected, stack.kafka(), stack.postgres());
            assertThat(PipelineOutputs.committed(stack.kafka(), Topics.LATE_EVENTS))
                    .as("late events (the workloads send none too late)")
                    .isEmpty();
            assertThat(progressWatermark())
                    .as("progress after the restore")
                    .isGreaterThan(drainedProgress)
                    .isLessThan(
                            System.currentTimeMillis() + Duration.ofMinutes(1).toMillis());
            assertThat(second.failures()).as("failures of the restored job").isEmpty();
        }
    }

    @Test
    void anEventTopicWhoseTimestampsComeFromProducersIsRefusedAtStart() throws Exception {
        // A topic created before StreamLens, with Kafka's default: producers' clocks.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka()))) {
            ConfigResource responses = new ConfigResource(ConfigResource.Type.TOPIC, Topics.RESPONSES);
            admin.incrementalAlterConfigs(Map.of(
                            responses,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("message.timestamp.type", "CreateTime"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        JobSettings settings = JobRun.settings(stack.kafka(), stack.jdbcUrl(), stack.work);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> StreamLensJob.build(env, settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic " + Topics.RESPONSES + " has message.timestamp.type=CreateTime")
                .hasMessageContaining("--add-config message.timestamp.type=LogAppendTime");
    }

    @Test
    void partitionsAddedToALiveTopicHoldWindowsBackOnlyUntilTheyAreDiscovered() throws Exception {
        Duration discovery = Duration.ofSeconds(2);
        List<String> options = LiveTraffic.jobOptions("--partition-discovery-interval", discovery.toSeconds() + "s");
        try (JobProcess job = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), options)) {
            Workload before = LiveTraffic.workload(701, 200, Duration.ofSeconds(4));
            stack.traffic().play(before).get(1, TimeUnit.MINUTES);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka()))) {
                admin.createPartitions(Map.of(
                                Topics.REQUESTS,
                                NewPartitions.increaseTo(5),
                                Topics.RESPONSES,
                                NewPartitions.increaseTo(5)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            // The new partitions stay empty but for the job's clock ticks: until the job reads a tick
            // from each, they hold the watermark back (Kafka's producers refresh their partition lists
            // every 5 minutes by default, its sources every minute). Traffic resumes once even
            // Kafka's default source discovery would have found them.
            TimeUnit.SECONDS.sleep(65);
            Workload after = LiveTraffic.workload(702, 300, Duration.ofSeconds(6));
            stack.traffic().play(after).get(1, TimeUnit.MINUTES);
            ExpectedMetrics expected = LiveTraffic.expected(before, after);
            Duration bound =
                    LiveTraffic.settleTime().plus(discovery.multipliedBy(2)).plusSeconds(10);
            JobRun.awaitNoDifferences(
                    "llm_metrics within " + bound.toSeconds() + " s of the last call",
                    () -> MetricsComparison.differences(expected, PipelineOutputs.table(stack.postgres())),
                    bound);
            PipelineAssertions.assertOutputsMatch(expected, stack.kafka(), stack.postgres());
            assertThat(job.failures()).as("failures of the job").isEmpty();
        }
    }

    /** The event time up to which {@code pipeline_progress} says rows are complete. */
    private long progressWatermark() throws Exception {
        try (Connection c = stack.postgres().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT watermark_ms FROM pipeline_progress")) {
            assertThat(rs.next()).as("a pipeline_progress row").isTrue();
            return rs.getLong(1);
        }
    }
}
