package dev.streamlens.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * A restore resumes at the checkpoint's watermark, which only aligned checkpoints make safe
 * (docs/DESIGN.md): a cluster configured for unaligned checkpoints must not switch the job's on.
 * Nor may it shorten the checkpoint timeout the job's Kafka clients wait out an outage by.
 */
class CheckpointModeTest {

    @Test
    void theJobPinsAlignedCheckpointsWhateverTheClusterSays() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        cluster.set(CheckpointingOptions.FORCE_UNALIGNED, true);
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, java.time.Duration.ofSeconds(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(cluster); // as a cluster's configuration reaches the job's environment
        assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled())
                .as("the cluster's setting")
                .isTrue();

        JobEnvironment.alignedCheckpointsOnly(env);

        assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isFalse();
        assertThat(env.getCheckpointConfig().isForceUnalignedCheckpoints()).isFalse();
    }

    @Test
    void theJobPinsTheCheckpointTimeoutItsKafkaClientsWaitFor() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, java.time.Duration.ofMinutes(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(cluster);
        assertThat(env.getCheckpointConfig().getCheckpointTimeout())
                .as("the cluster's setting")
                .isEqualTo(60_000);

        JobEnvironment.checkpointTimeout(env);

        assertThat(env.getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo(JobConfiguration.CHECKPOINT_TIMEOUT.toMillis())
                .isEqualTo(600_000);
    }

    @Test
    void theJobsOwnConfigurationTurnsThemOffToo() {
        JobSettings settings = new JobSettings();
        new picocli.CommandLine(settings)
                .parseArgs("--kafka-brokers", "localhost:9092", "--jdbc-url", "jdbc:postgresql://localhost/x");
        assertThat(JobConfiguration.of(settings).get(CheckpointingOptions.ENABLE_UNALIGNED))
                .isFalse();
        assertThat(JobConfiguration.of(settings).get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
                .isEqualTo(JobConfiguration.CHECKPOINT_TIMEOUT);
    }
}
