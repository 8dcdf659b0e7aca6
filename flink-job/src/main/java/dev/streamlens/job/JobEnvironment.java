package dev.streamlens.job;

import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.io.KafkaSources;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the live job ({@link StreamLensJob}) and a recompute ({@link RecomputeJob}) set up alike:
 * the environment's parallelism and checkpoint mode, and the event topics' sources.
 */
final class JobEnvironment {

    private JobEnvironment() {}

    /**
     * The parallelism ({@link #parallelism}), the checkpoint mode ({@link #alignedCheckpointsOnly})
     * and the checkpoint timeout ({@link #checkpointTimeout}).
     */
    static void configure(StreamExecutionEnvironment env, JobSettings settings) {
        parallelism(env, settings);
        alignedCheckpointsOnly(env);
        checkpointTimeout(env);
    }

    /**
     * The checkpoint timeout is {@link JobConfiguration#CHECKPOINT_TIMEOUT} whatever the cluster's
     * configuration says: the job's Kafka clients wait that long for brokers that went away, and a
     * shorter timeout would fail checkpoints (and the job, after a few) in the middle of that wait.
     */
    static void checkpointTimeout(StreamExecutionEnvironment env) {
        env.getCheckpointConfig().setCheckpointTimeout(JobConfiguration.CHECKPOINT_TIMEOUT.toMillis());
    }

    /**
     * Unaligned checkpoints stay off whatever the cluster's configuration says: a restore resumes
     * at the checkpoint's watermark, and an unaligned checkpoint also restores records that were in
     * flight, which that watermark could overtake (docs/DESIGN.md).
     */
    static void alignedCheckpointsOnly(StreamExecutionEnvironment env) {
        env.getCheckpointConfig().enableUnalignedCheckpoints(false);
        env.getCheckpointConfig().setForceUnalignedCheckpoints(false);
    }

    /**
     * The job's parallelism, and its max parallelism: 128 key groups, what Flink derives itself for
     * up to 85 subtasks, so state written before the setting existed restores unchanged; it lets the
     * job grow to 128 subtasks (docs/CAPACITY.md: far beyond what 1M calls/s needs), splits evenly at
     * 2, 4, 8, 16, 32 and 64, and keeps RocksDB's key-group prefix at one byte.
     */
    private static void parallelism(StreamExecutionEnvironment env, JobSettings settings) {
        if (settings.parallelism > 0) {
            env.setParallelism(settings.parallelism);
        }
        env.setMaxParallelism(settings.maxParallelism);
    }

    /**
     * An event topic's source, never wider than the topic: a subtask without a partition would hold
     * every watermark back for good.
     */
    static DataStream<TelemetryEvent> eventSource(
            StreamExecutionEnvironment env,
            JobSettings settings,
            String topic,
            KafkaSource<TelemetryEvent> reader,
            WatermarkStrategy<TelemetryEvent> eventTime) {
        // Also refuses a topic whose record timestamps are not the broker's append time.
        int partitions = KafkaSources.eventTopicPartitions(settings.kafkaBrokers, topic);
        return env.fromSource(reader, eventTime, topic)
                .setParallelism(Math.min(env.getParallelism(), partitions))
                .uid("source-" + topic.substring(topic.indexOf('.') + 1));
    }
}
