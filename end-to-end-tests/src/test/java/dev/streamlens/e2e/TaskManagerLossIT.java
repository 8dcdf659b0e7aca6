package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.it.Workload;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A TaskManager of a real two-TaskManager session cluster killed mid-traffic (SIGKILL, as a lost
 * machine): the job fails over, waits for slots, resumes from its last checkpoint on the
 * replacement, and every output equals the expectation computed from all events.
 */
class TaskManagerLossIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void aKilledTaskManagerCostsARestartAndNoNumber() throws Exception {
        Path dir = TestDirectories.fresh("flink-tm-kill");
        SessionClusterJob streamlens =
                new SessionClusterJob(KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), POSTGRES.dataSource());
        Workload traffic = Workload.generate(
                41,
                900,
                System.currentTimeMillis() + 2_000,
                Duration.ofSeconds(45).toMillis(),
                SessionClusterJob.JOIN_TIMEOUT_MS,
                1500,
                3_000,
                15_000);
        SessionClusterJob.Written written = new SessionClusterJob.Written();
        written.add(traffic);

        String classpath = SessionClusterJob.clusterClasspath();
        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(dir, classpath, 2)) {
            String jar = cluster.upload(SessionClusterJob.jar());
            // Every slot of both TaskManagers: whichever is lost, the job loses subtasks.
            String job = cluster.run(jar, streamlens.arguments(dir), null, 4);
            Thread sender = new Thread(() -> streamlens.producePaced(traffic.deliveries), "paced-traffic");
            sender.start();
            Thread.sleep(20_000); // mid-traffic, a few checkpoints in
            cluster.killTaskManager(0);
            // The job fails over and waits for slots (up to slot.request.timeout); a replacement brings
            // them, as a Kubernetes Deployment or a standby TaskManager would.
            Thread.sleep(5_000);
            cluster.addTaskManager(classpath);
            sender.join();

            streamlens.awaitEveryOutput(written.expected());
            assertThat(cluster.failures(job))
                    .as("failures recorded after the TaskManager was killed")
                    .isPositive();
            assertThat(cluster.state(job)).isEqualTo("RUNNING");
        }
    }
}
