package dev.streamlens.job;

import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Flink configuration the job needs: state backend, exactly-once checkpoints, restarts, recovery. */
public final class JobConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(JobConfiguration.class);

    /**
     * How long a checkpoint may take, pinned here rather than left to the cluster's configuration:
     * the job's Kafka clients wait this long for brokers that went away ({@link #CHECKPOINT_TIMEOUT}
     * is handed to the sources and sinks), so a checkpoint waits out an outage instead of failing
     * the job, and ends when this timeout ends it.
     */
    public static final java.time.Duration CHECKPOINT_TIMEOUT = java.time.Duration.ofMinutes(10);

    private JobConfiguration() {}

    public static Configuration of(JobSettings settings) {
        // The operator's own Flink options first: every option set below is one the job relies on, and wins.
        Configuration conf = Configuration.fromMap(settings.flinkOptions());
        stateBackend(conf, settings.stateBackend);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        // A recompute keeps its checkpoints apart: the live job's restore must never pick one of them.
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                settings.isRecompute()
                        ? settings.checkpointDir.replaceAll("/+$", "") + "-recompute"
                        : settings.checkpointDir);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        // Aligned checkpoints only: a restore resumes at the checkpoint's watermark, which records
        // in flight (kept by an unaligned checkpoint) could be overtaken by (docs/DESIGN.md).
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
        // Kept when the job is cancelled, so the next start resumes from it.
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                java.time.Duration.ofSeconds(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                java.time.Duration.ofSeconds(30));
        if (settings.fromSavepoint != null && !settings.isRecompute()) {
            LOG.info("restoring from {}", settings.fromSavepoint);
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, settings.fromSavepoint);
        } else if (settings.resumeFromLatestCheckpoint && !settings.isRecompute()) {
            Optional<String> latest = LatestCheckpoint.find(settings.checkpointDir);
            latest.ifPresentOrElse(
                    path -> {
                        LOG.info("resuming from retained checkpoint {}", path);
                        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
                        // State of operators a newer version no longer has (e.g. the hourly rollup, now derived
                        // in PostgreSQL) is dropped instead of refusing to start.
                        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
                    },
                    () -> LOG.info("no retained checkpoint under {}: starting fresh", settings.checkpointDir));
        }
        return conf;
    }

    /**
     * RocksDB's memory (block cache and write buffers of every slot) on the local mini-cluster of
     * `./streamlens up`, unless --flink-config sets it. Flink gives a local run 128 MB; the join's
     * markers alone are ~250 MB at 7,500 calls/s, and with 512 MB the capacity run at 7,500 calls/s
     * ended its step 7 s behind instead of 35 s (docs/BENCHMARKS.md). A cluster sizes its own.
     */
    static final MemorySize LOCAL_MANAGED_MEMORY = MemorySize.ofMebiBytes(512);

    /** The local mini-cluster's settings: its web UI on loopback at this port, and RocksDB's memory. */
    public static void localCluster(Configuration conf, int webUiPort) {
        conf.set(RestOptions.PORT, webUiPort);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        if (!conf.contains(TaskManagerOptions.MANAGED_MEMORY_SIZE)) {
            conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, LOCAL_MANAGED_MEMORY);
        }
    }

    /** Where RocksDB keeps timers: HEAP (the job's default) or ROCKSDB, which --flink-config may choose. */
    static final String ROCKSDB_TIMERS = "state.backend.rocksdb.timer-service.factory";

    /**
     * The state backend and how it keeps timers. With RocksDB, timers stay on the heap unless the
     * operator chose otherwise (--flink-config): the join
     * registers two per request and the windows one per element, and RocksDB-backed timers cost a
     * write and a read each. Heap timers are snapshotted with every checkpoint like other state.
     */
    public static void stateBackend(Configuration conf, String backend) {
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        // Chained operators hand records over without a defensive copy. Safe here: every function
        // emits new objects and never changes its input, and network inputs are always fresh objects.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        if ("rocksdb".equals(backend)) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            if (!conf.containsKey(ROCKSDB_TIMERS)) {
                conf.setString(ROCKSDB_TIMERS, "HEAP");
            }
        }
    }
}
