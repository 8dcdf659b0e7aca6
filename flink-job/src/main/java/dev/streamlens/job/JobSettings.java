package dev.streamlens.job;

import dev.streamlens.model.Durations;
import dev.streamlens.model.attribution.TagKeys;
import dev.streamlens.model.attribution.Tags;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The job's settings, with their defaults (README.md, The metrics job): the one place they are defined. Each option can
 * also be set in the environment as {@code STREAMLENS_<OPTION>} ({@code --join-timeout}:
 * {@code STREAMLENS_JOIN_TIMEOUT}); an argument wins. The local stack's {@code ./streamlens up}
 * validates its environment with {@link #parse} and lets the job read the same variables; on a
 * cluster the arguments follow {@code flink run <jar>}.
 */
@Command(
        name = "streamlens-job",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Joins LLM request and response events in event time and writes per-window metrics "
                + "to PostgreSQL (llm_metrics) and Kafka (llm.metrics), exactly once.",
        footer = {
            "Durations are written like 250ms, 30s, 5m, 1h.",
            "Every option can also be set as an environment variable STREAMLENS_<OPTION>, e.g. "
                    + "STREAMLENS_JOIN_TIMEOUT=2m; an argument wins."
        })
public class JobSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    @Option(
            names = "--kafka-brokers",
            defaultValue = "localhost:19092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    public String kafkaBrokers;

    @Option(
            names = "--jdbc-url",
            defaultValue = "jdbc:postgresql://localhost:15432/postgres",
            description = "PostgreSQL JDBC URL (default: ${DEFAULT-VALUE})")
    public String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            defaultValue = "postgres",
            description = "PostgreSQL user (default: ${DEFAULT-VALUE})")
    public String jdbcUser;

    @Option(
            names = "--jdbc-password",
            defaultValue = "postgres",
            description =
                    "PostgreSQL password (default: ${DEFAULT-VALUE}; better set STREAMLENS_JDBC_PASSWORD than an argument)")
    public String jdbcPassword;

    @Option(
            names = "--window",
            defaultValue = "1m",
            converter = DurationConverter.class,
            description = "tumbling window size (default: ${DEFAULT-VALUE})")
    public Duration window;

    @Option(
            names = "--join-timeout",
            defaultValue = "5m",
            converter = DurationConverter.class,
            description = "how long a request waits for its response (default: ${DEFAULT-VALUE})")
    public Duration joinTimeout;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "watermark bound (default: ${DEFAULT-VALUE})")
    public Duration outOfOrderness;

    @Option(
            names = "--idle-timeout",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "a quiet partition holds the watermark back at most about this long: the job appends a clock tick to every partition of its input topics this often (default: ${DEFAULT-VALUE})")
    public Duration idleTimeout;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "1m",
            converter = DurationConverter.class,
            description = "late events within this still revise their window (default: ${DEFAULT-VALUE})")
    public Duration allowedLateness;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "checkpoint and exactly-once commit interval (default: ${DEFAULT-VALUE})")
    public Duration checkpointInterval;

    @Option(
            names = "--checkpoint-dir",
            defaultValue = "file:///tmp/streamlens/checkpoints",
            description = "durable checkpoint storage URI (default: ${DEFAULT-VALUE})")
    public String checkpointDir;

    @Option(
            names = "--resume-from-latest-checkpoint",
            description =
                    "restore from the newest retained checkpoint under --checkpoint-dir, if any (local file storage)")
    public boolean resumeFromLatestCheckpoint;

    @Option(
            names = "--partition-discovery-interval",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "how soon partitions added to the event topics are read and get clock ticks: until then a new "
                            + "partition holds the watermark back, so windows wait at most about this plus --idle-timeout (default: ${DEFAULT-VALUE})")
    public Duration partitionDiscoveryInterval;

    @Option(
            names = "--from-savepoint",
            description = "restore from this savepoint or retained checkpoint, as `flink run -s` "
                    + "does on a cluster (e.g. after `stop --drain`); wins over --resume-from-latest-checkpoint")
    public String fromSavepoint;

    @Option(
            names = "--state-backend",
            defaultValue = "rocksdb",
            description = "rocksdb or hashmap (default: ${DEFAULT-VALUE})")
    public String stateBackend;

    @Option(
            names = "--flink-config",
            defaultValue = "",
            description = "further Flink options as key=value pairs separated by ';' (e.g."
                    + " state.backend.rocksdb.timer-service.factory=ROCKSDB); the options the job sets itself win;"
                    + " on a cluster only job-level options take effect (task manager memory is the cluster's)")
    public String flinkConfig;

    @Option(names = "--pricing-file", description = "price table JSON (default: the bundled table)")
    public String pricingFile;

    @Option(names = "--parallelism", defaultValue = "-1", description = "job parallelism (default: the cluster's)")
    public int parallelism;

    @Option(
            names = "--max-parallelism",
            defaultValue = "128",
            description =
                    "the most subtasks the keyed state can ever "
                            + "be split over (key groups); fixed by the first start, a restore refuses another value (default: ${DEFAULT-VALUE})")
    public int maxParallelism;

    @Option(
            names = "--consumer-group",
            defaultValue = "streamlens-metrics-job",
            description = "Kafka consumer group, for offset monitoring (default: ${DEFAULT-VALUE})")
    public String consumerGroup;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "streamlens-metrics",
            description = "stable prefix of the Kafka sinks' transactional ids (default: ${DEFAULT-VALUE})")
    public String transactionalIdPrefix;

    @Option(
            names = "--kafka-transaction-timeout",
            defaultValue = "15m",
            converter = DurationConverter.class,
            description =
                    "at most the broker's transaction.max.timeout.ms; a job down longer than this minus one checkpoint interval loses its last checkpoint's records on the Kafka topics (PostgreSQL is rewritten from the checkpoint) (default: ${DEFAULT-VALUE})")
    public Duration kafkaTransactionTimeout;

    @Option(
            names = "--local-web-ui-port",
            defaultValue = "0",
            description =
                    "run on a local mini-cluster with Flink's web UI on this port (0: no local web UI; on a cluster leave it unset)")
    public int localWebUiPort;

    @Option(
            names = "--tenant-scoped-request-ids",
            description =
                    "request_id is unique per tenant, not globally: a "
                            + "response joins only a request of its own tenant, so tenants cannot collide or interfere (set it when the "
                            + "services run with API keys, which record the tenant on every response; a response without one is then an orphan)")
    public boolean tenantScopedRequestIds;

    @Option(
            names = "--job-name",
            description = "(default: StreamLens metrics; a recompute: StreamLens recompute <from> to <to>)")
    public String jobName;

    @Option(
            names = "--export-dir",
            description = "also write the minute rows as Parquet files under this directory "
                    + "(file:///… or s3://… with Flink's S3 plugin), by date and tenant, exactly once, a file per checkpoint; "
                    + "off when unset (docs/RETENTION.md#export)")
    public String exportDir;

    @Option(
            names = "--recompute-from",
            description =
                    "recompute mode: instead of the live job, a bounded run over the "
                            + "raw topics that rewrites the windows starting at or after this instant (RFC 3339, on a window boundary) "
                            + "with a new revision, e.g. after a price-table change (docs/RETENTION.md#recompute); needs --recompute-to")
    public Instant recomputeFrom;

    @Option(
            names = "--recompute-to",
            description = "recompute mode: the windows starting before this instant; at most "
                    + "the live job's final_until (windows it can still revise are refused)")
    public Instant recomputeTo;

    @Option(
            names = "--tag-keys",
            defaultValue = "",
            description = "custom dimensions: the tag keys read from each request's metadata, for every tenant "
                    + "(feature,environment) or per tenant (acme=feature,prompt_version;*=environment); at most "
                    + TagKeys.MAX_KEYS + " per tenant (default: none; docs/ATTRIBUTION.md)")
    public String tagKeys;

    @Option(
            names = "--tag-value-cap",
            defaultValue = "" + Tags.DEFAULT_VALUE_CAP,
            description = "values of one tag key a window's row keeps; the rest count under 'other' (1 to "
                    + MAX_TAG_VALUE_CAP + "; default: ${DEFAULT-VALUE})")
    public int tagValueCap;

    /** Keeps a row's tag summary exact: 5 keys of 100 values, other and no value stay under its 1,000 ids. */
    static final int MAX_TAG_VALUE_CAP = 100;

    /**
     * Reads arguments over the environment's STREAMLENS_* variables over the defaults, and checks
     * the result ({@link #validate}).
     *
     * @throws CommandLine.ParameterException for an unknown option or a value of the wrong form
     * @throws IllegalArgumentException       for settings the pipeline cannot honour
     */
    public static JobSettings parse(Map<String, String> environment, String... args) {
        JobSettings settings = new JobSettings();
        commandLine(settings, environment).parseArgs(args);
        settings.validate();
        return settings;
    }

    /** The command line of these settings, with defaults taken from the environment first. */
    public static CommandLine commandLine(JobSettings settings, Map<String, String> environment) {
        CommandLine cli = new CommandLine(settings);
        cli.setDefaultValueProvider(arg -> {
            if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
                return null;
            }
            String value = environment.get(environmentName(option.longestName()));
            return value == null || value.isBlank() ? null : value.trim();
        });
        return cli;
    }

    /** {@code --join-timeout} → {@code STREAMLENS_JOIN_TIMEOUT}. */
    public static String environmentName(String option) {
        return "STREAMLENS_"
                + option.replaceFirst("^--", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Fails fast on settings the pipeline cannot honour. */
    public void validate() {
        requirePositive("--window", window);
        if (Duration.ofHours(1).toMillis() % window.toMillis() != 0) {
            throw new IllegalArgumentException(
                    "--window must divide an hour (hourly rows sum whole windows), not " + Durations.format(window));
        }
        requirePositive("--idle-timeout", idleTimeout);
        requireNotNegative("--out-of-orderness", outOfOrderness);
        requireNotNegative("--allowed-lateness", allowedLateness);
        requirePositive("--join-timeout", joinTimeout);
        requirePositive("--checkpoint-interval", checkpointInterval);
        if (maxParallelism < 1 || maxParallelism > 32_768 || (parallelism > maxParallelism)) {
            throw new IllegalArgumentException(
                    "--max-parallelism must lie between --parallelism and 32768, not " + maxParallelism);
        }
        if (!stateBackend.equals("rocksdb") && !stateBackend.equals("hashmap")) {
            throw new IllegalArgumentException("--state-backend must be rocksdb or hashmap, not " + stateBackend);
        }
        flinkOptions(); // refuses an entry that is not key=value, naming it
        if (kafkaTransactionTimeout.compareTo(checkpointInterval) <= 0) {
            throw new IllegalArgumentException("--kafka-transaction-timeout must exceed --checkpoint-interval");
        }
        declaredTags(); // refuses a wrong --tag-keys, naming what is wrong
        if (tagValueCap < 1 || tagValueCap > MAX_TAG_VALUE_CAP) {
            throw new IllegalArgumentException(
                    "--tag-value-cap must lie between 1 and " + MAX_TAG_VALUE_CAP + ", not " + tagValueCap);
        }
        if ((recomputeFrom == null) != (recomputeTo == null)) {
            throw new IllegalArgumentException("--recompute-from and --recompute-to go together");
        }
        if (isRecompute()) {
            if (!recomputeFrom.isBefore(recomputeTo)) {
                throw new IllegalArgumentException("--recompute-from must be before --recompute-to");
            }
            for (Instant bound : new Instant[] {recomputeFrom, recomputeTo}) {
                if (bound.toEpochMilli() % window.toMillis() != 0) {
                    throw new IllegalArgumentException("--recompute-from and --recompute-to must be window boundaries ("
                            + Durations.format(window) + "), not " + bound);
                }
            }
        }
    }

    /** The tag keys each tenant declared ({@code --tag-keys}). */
    public TagKeys declaredTags() {
        try {
            return TagKeys.parse(tagKeys);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tag-keys: " + e.getMessage(), e);
        }
    }

    /** Whether this run recomputes a past range instead of running live. */
    public boolean isRecompute() {
        return recomputeFrom != null;
    }

    /** The name the job runs under: {@code --job-name}, else one that says whether it is live or which range it recomputes. */
    public String jobName() {
        if (jobName != null) {
            return jobName;
        }
        return isRecompute() ? "StreamLens recompute " + recomputeFrom + " to " + recomputeTo : "StreamLens metrics";
    }

    private static void requireNotNegative(String name, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    /** The --flink-config pairs, parsed on first use. */
    private Map<String, String> flinkOptions;

    /** The --flink-config pairs, in order ("a=1; b=2" -> {a=1, b=2}). */
    public Map<String, String> flinkOptions() {
        if (flinkOptions == null) {
            flinkOptions = java.util.Collections.unmodifiableMap(parseFlinkOptions(flinkConfig));
        }
        return flinkOptions;
    }

    private static Map<String, String> parseFlinkOptions(String flinkConfig) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        for (String entry : flinkConfig.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals <= 0 || entry.substring(0, equals).isBlank()) {
                throw new IllegalArgumentException(
                        "--flink-config entries are key=value separated by ';', not '" + entry.trim() + "'");
            }
            options.put(
                    entry.substring(0, equals).trim(),
                    entry.substring(equals + 1).trim());
        }
        return options;
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    @Override
    public String toString() {
        return "kafka-brokers=" + kafkaBrokers + " jdbc-url=" + jdbcUrl + " window=" + Durations.format(window)
                + " join-timeout=" + Durations.format(joinTimeout)
                + " out-of-orderness=" + Durations.format(outOfOrderness)
                + " idle-timeout=" + Durations.format(idleTimeout)
                + " allowed-lateness=" + Durations.format(allowedLateness)
                + " checkpoint-interval=" + Durations.format(checkpointInterval)
                + " checkpoint-dir=" + checkpointDir + " state-backend=" + stateBackend
                + " pricing-file=" + (pricingFile == null ? "(bundled)" : pricingFile)
                + (exportDir == null ? "" : " export-dir=" + exportDir)
                + (tagKeys.isBlank() ? "" : " tag-keys=" + tagKeys + " tag-value-cap=" + tagValueCap)
                + (flinkConfig.isBlank() ? "" : " flink-config=" + flinkOptions())
                + (isRecompute() ? " recompute=[" + recomputeFrom + ", " + recomputeTo + ")" : "");
    }
}
