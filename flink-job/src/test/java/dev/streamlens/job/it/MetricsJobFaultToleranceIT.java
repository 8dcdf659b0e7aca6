package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.JobSettings;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly once through failures (docs/DESIGN.md#what-the-numbers-mean, rule 8): while live traffic flows, the task manager is killed
 * right after a completed checkpoint and again between two checkpoints (windows half filled),
 * then the job is stopped and a new one resumes from the last retained checkpoint. The final
 * table and the committed view of llm.metrics equal the failure-free expectation, with no
 * duplicate (window, revision) record and no lost or doubled dead letter.
 */
class MetricsJobFaultToleranceIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void crashesAndARestartLoseAndDoubleNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Path work = TestDirectories.fresh("job-faults");
        List<String> options = new ArrayList<>(LiveTraffic.jobOptions());
        options.add("--resume-from-latest-checkpoint");
        JobSettings settings =
                JobRun.settings(KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), work, options.toArray(String[]::new));
        JobClient job = JobRun.start(settings, work);
        // About 9,000 records over 25 s, sent live: the failures below happen while traffic flows.
        Workload workload = LiveTraffic.workload(7, 4000, Duration.ofSeconds(25));
        ExpectedMetrics expected = LiveTraffic.expected(workload);
        MetricsJobIntegrationIT.assertWorkloadCoversEveryCase(expected);
        LiveTraffic traffic = new LiveTraffic(KAFKA.bootstrapServers());
        CompletableFuture<Void> sending = traffic.play(workload);

        // 1. Kill the task manager right after a completed checkpoint.
        long completed = awaitCompletedCheckpoints(cluster, job.getJobID(), 2);
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager();

        // 2. Kill it again between two checkpoints, with windows half filled.
        awaitCompletedCheckpoints(cluster, job.getJobID(), completed + 2);
        Thread.sleep(400);
        cluster.terminateTaskManager(1).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager();
        awaitCompletedCheckpoints(cluster, job.getJobID(), completed + 4);
        assertThat(maxAttemptNumber(cluster, job.getJobID()))
                .as("tasks restarted twice")
                .isGreaterThanOrEqualTo(2);

        // 3. Stop the job while traffic flows and start a new one from the last retained checkpoint.
        assertThat(sending).isNotDone();
        job.cancel().get(60, TimeUnit.SECONDS);
        JobClient resumed = JobRun.start(settings, work);
        try {
            sending.get(2, TimeUnit.MINUTES);
            PipelineAssertions.assertOutputsMatch(expected, KAFKA.bootstrapServers(), POSTGRES.dataSource());
        } finally {
            traffic.close();
            resumed.cancel().get();
        }
    }

    private static long awaitCompletedCheckpoints(MiniCluster cluster, JobID job, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            long completed = graph.getCheckpointStatsSnapshot() == null
                    ? 0
                    : graph.getCheckpointStatsSnapshot().getCounts().getNumberOfCompletedCheckpoints();
            if (completed >= atLeast && graph.getState() == JobStatus.RUNNING) {
                return completed;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("fewer than " + atLeast + " completed checkpoints in time");
    }

    private static int maxAttemptNumber(MiniCluster cluster, JobID job) throws Exception {
        int max = 0;
        for (AccessExecutionVertex vertex : cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
            max = Math.max(max, vertex.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return max;
    }
}
