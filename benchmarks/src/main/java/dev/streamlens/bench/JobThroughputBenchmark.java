package dev.streamlens.bench;

import dev.streamlens.job.JobConfiguration;
import dev.streamlens.job.MetricsPipeline;
import dev.streamlens.job.alerts.AlertRuleChange;
import dev.streamlens.job.alerts.AlertStep;
import dev.streamlens.job.events.EventDecoder;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.model.AlertRule;
import dev.streamlens.model.Topics;
import dev.streamlens.model.attribution.TagKeys;
import dev.streamlens.model.pricing.CallPricer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.Collector;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second through the job's pipeline on a local mini-cluster (parallelism 2), each
 * invocation a bounded job over {@code 2 × pairs} generated events (one million pairs unless
 * {@code -p pairs=} says otherwise; the smoke run uses a few thousand), counted in {@link EventCount}
 * so the figure is events per second at any size:
 * <ul>
 *   <li>{@code passThrough}: generate, parse, discard — the baseline;</li>
 *   <li>{@code keyedPairing}: the same plus keyBy(request_id) and a ValueState pairing — the
 *       ceiling of any keyed job on this state backend;</li>
 *   <li>{@code pipeline}: the real {@link MetricsPipeline} (validate, join, each call priced from
 *       the genai-prices catalog, windows with sketches) into discarding sinks;</li>
 *   <li>{@code pipelineWithoutPrices}: the same with a catalog that knows no model — what pricing
 *       costs is the difference;</li>
 *   <li>{@code pipelineWithEndUsers}: the same as {@code pipeline} with every request naming an
 *       end user (Zipf over 1,000,000 per tenant) and a session — what the rows' summaries of
 *       users and sessions cost is the difference;</li>
 *   <li>{@code pipelineWithEndUsersAndTags}: the same with two tag keys declared (custom
 *       dimensions, a third summary per row);</li>
 *   <li>{@code sqlPeer}, {@code sqlPeerWithoutPercentile}: the peer, what Flink SQL computes of
 *       the same rows ({@link SqlPeer}), with and without its exact p95.</li>
 * </ul>
 * Checkpoints are off, as in the baselines of STACK-NOTES.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Xmx6g",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED"
        })
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class JobThroughputBenchmark {

    private static final int PARALLELISM = 2;

    @Param({"hashmap", "rocksdb"})
    public String stateBackend;

    /** Request/response pairs per invocation: each invocation is one job over twice as many events. */
    @Param("1000000")
    public long pairs;

    /**
     * The events the invocations processed: JMH reports this counter per second beside the
     * invocations, as {@code <benchmark>:events}, the figure the script records.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class EventCount {
        public long events;
    }

    private MiniCluster cluster;
    private Path rocksDir;

    @Setup(Level.Trial)
    public void startCluster() throws Exception {
        rocksDir = Files.createTempDirectory("sl-bench-rocks");
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(PARALLELISM)
                .setConfiguration(conf)
                .build());
        cluster.start();
    }

    @TearDown(Level.Trial)
    public void stopCluster() throws Exception {
        cluster.close();
    }

    @Benchmark
    public void passThrough(EventCount count) throws Exception {
        StreamExecutionEnvironment env = environment();
        parsed(env, Topics.REQUESTS).union(parsed(env, Topics.RESPONSES)).sinkTo(new DiscardingSink<>());
        execute(env, "pass-through", count);
    }

    @Benchmark
    public void keyedPairing(EventCount count) throws Exception {
        StreamExecutionEnvironment env = environment();
        parsed(env, Topics.REQUESTS)
                .union(parsed(env, Topics.RESPONSES))
                .keyBy(e -> e.requestId, Types.STRING)
                .flatMap(new Pairing())
                .sinkTo(new DiscardingSink<>());
        execute(env, "keyed pairing", count);
    }

    @Benchmark
    public void pipeline(EventCount count) throws Exception {
        StreamExecutionEnvironment env = environment();
        pipelineInto(env);
        execute(env, "pipeline", count);
    }

    /**
     * The pipeline with a price catalog that knows no model: every call is looked up and found
     * unpriced, none is priced — the baseline of what pricing from the catalog costs.
     */
    @Benchmark
    public void pipelineWithoutPrices(EventCount count) throws Exception {
        StreamExecutionEnvironment env = environment();
        pipelineInto(env, CallPricer.withCatalog("[]".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        execute(env, "pipeline without prices", count);
    }

    /**
     * The pipeline on requests that name an end user (a Zipf law over 1,000,000 per tenant) and a
     * session: what keeping the rows' summaries of users and sessions costs beside {@code pipeline},
     * whose requests name none.
     */
    @Benchmark
    public void pipelineWithEndUsers(EventCount count) throws Exception {
        endUsersInto(count, TagKeys.NONE, "pipeline with end users");
    }

    /**
     * {@code pipelineWithEndUsers} with two tag keys declared for every tenant: {@code experiment}
     * (every request's metadata names one value) and {@code feature} (none does, counted as "no
     * value"): what the custom dimensions' third summary per row adds.
     */
    @Benchmark
    public void pipelineWithEndUsersAndTags(EventCount count) throws Exception {
        endUsersInto(count, TagKeys.parse("experiment,feature"), "pipeline with end users and tags");
    }

    private void endUsersInto(EventCount count, TagKeys tagKeys, String name) throws Exception {
        StreamExecutionEnvironment env = environment();
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                withEventTime(parsed(env, SyntheticEvents.requestsWithEndUsers(), Topics.REQUESTS, pairs, tagKeys)),
                withEventTime(parsed(env, Topics.RESPONSES)),
                new MetricsPipeline.Timing(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1)),
                CallPricer.catalogOnly());
        out.rows().sinkTo(new DiscardingSink<>());
        out.deadLetters().sinkTo(new DiscardingSink<>());
        out.lateEvents().sinkTo(new DiscardingSink<>());
        execute(env, name, count);
    }

    /** The peer: what Flink SQL computes of the same rows (interval join, TUMBLE), mini-batch on, exact p95. */
    @Benchmark
    public void sqlPeer(EventCount count) throws Exception {
        runSqlPeer(true, count);
    }

    /** The same SQL without the percentile: counts, errors, tokens and cost only. */
    @Benchmark
    public void sqlPeerWithoutPercentile(EventCount count) throws Exception {
        runSqlPeer(false, count);
    }

    private void runSqlPeer(boolean withPercentile, EventCount count) throws Exception {
        StreamExecutionEnvironment env = environment();
        SqlPeer.build(
                        env,
                        withEventTime(parsed(env, Topics.REQUESTS)),
                        withEventTime(parsed(env, Topics.RESPONSES)),
                        withPercentile)
                .rows()
                .sinkTo(new DiscardingSink<>());
        execute(env, "sql peer", count);
    }

    /** Runs one bounded job over {@code 2 × pairs} events and counts them. */
    private void execute(StreamExecutionEnvironment env, String job, EventCount count) throws Exception {
        env.execute(job);
        count.events += 2 * pairs;
    }

    /** The job's pipeline on the synthetic events, its outputs discarded; returns them. */
    private MetricsPipeline.Outputs pipelineInto(StreamExecutionEnvironment env) {
        return pipelineInto(env, CallPricer.catalogOnly());
    }

    private MetricsPipeline.Outputs pipelineInto(StreamExecutionEnvironment env, CallPricer pricer) {
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                withEventTime(parsed(env, Topics.REQUESTS)),
                withEventTime(parsed(env, Topics.RESPONSES)),
                new MetricsPipeline.Timing(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1)),
                pricer);
        out.rows().sinkTo(new DiscardingSink<>());
        out.deadLetters().sinkTo(new DiscardingSink<>());
        out.lateEvents().sinkTo(new DiscardingSink<>());
        return out;
    }

    /**
     * The pipeline with the alert rules' evaluation behind it: 100 rules for each of the 10 tenants
     * (every kind, error rate and latency among them, 5 to 60 minutes), so each closing window is
     * evaluated against all of its tenant's rules.
     */
    @Benchmark
    public void pipelineWithAlerts(EventCount count) throws Exception {
        StreamExecutionEnvironment env = environment();
        MetricsPipeline.Outputs out = pipelineInto(env);
        DataStream<AlertRuleChange> rules = env.fromData(
                        AlertRuleChange.class, rules(10, 100).toArray(AlertRuleChange[]::new))
                .assignTimestampsAndWatermarks(AlertStep.rulesTime());
        AlertStep.build(out.rows(), rules, Duration.ofMinutes(1)).sinkTo(new DiscardingSink<>());
        execute(env, "pipeline with alerts", count);
    }

    static List<AlertRuleChange> rules(int tenants, int perTenant) {
        String[] kinds = {"error_rate", "latency", "timeouts", "spend", "traffic_stopped", "unpriced_model"};
        List<AlertRuleChange> rules = new java.util.ArrayList<>();
        for (int t = 0; t < tenants; t++) {
            for (int r = 0; r < perTenant; r++) {
                String kind = kinds[r % kinds.length];
                Double threshold = switch (kind) {
                    case "error_rate" -> 5.0;
                    case "latency" -> 2500.0;
                    case "spend" -> 50.0;
                    case "unpriced_model" -> null;
                    default -> 10.0;
                };
                String id = "tenant-" + t + "-rule-" + r;
                rules.add(new AlertRuleChange(
                        id,
                        new AlertRule(
                                id,
                                "tenant-" + t,
                                r % 3 == 0 ? "route-" + (r % 5) : null,
                                null,
                                kind,
                                threshold,
                                null,
                                5 + (r % 12) * 5,
                                null,
                                60L,
                                60L,
                                null,
                                null,
                                null,
                                1L)));
            }
        }
        return rules;
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        JobConfiguration.stateBackend(conf, stateBackend);
        conf.setString("state.backend.rocksdb.localdir", rocksDir.toString());
        return new TestStreamEnvironment(cluster, conf, PARALLELISM, List.of(), List.of());
    }

    private DataStream<TelemetryEvent> parsed(StreamExecutionEnvironment env, String topic) {
        return parsed(env, topic, pairs);
    }

    /** The first {@code pairs} synthetic events of a topic, parsed as the job parses them. */
    static DataStream<TelemetryEvent> parsed(StreamExecutionEnvironment env, String topic, long pairs) {
        var generator = Topics.REQUESTS.equals(topic) ? SyntheticEvents.requests() : SyntheticEvents.responses();
        return parsed(env, generator, topic, pairs, TagKeys.NONE);
    }

    /** The first {@code pairs} events of a generator, parsed as the job parses a topic's. */
    static DataStream<TelemetryEvent> parsed(
            StreamExecutionEnvironment env,
            org.apache.flink.connector.datagen.source.GeneratorFunction<Long, byte[]> generator,
            String topic,
            long pairs,
            TagKeys tagKeys) {
        return env.fromSource(
                        new DataGeneratorSource<>(
                                generator,
                                pairs,
                                org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                        .BYTE_PRIMITIVE_ARRAY_TYPE_INFO),
                        WatermarkStrategy.noWatermarks(),
                        topic)
                .map(new Parse(topic, tagKeys));
    }

    static DataStream<TelemetryEvent> withEventTime(DataStream<TelemetryEvent> events) {
        return events.assignTimestampsAndWatermarks(
                WatermarkStrategy.<TelemetryEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((e, ts) -> e.timestamp));
    }

    /** The job's own decoding: validation with the shared event parser. */
    static final class Parse extends RichMapFunction<byte[], TelemetryEvent> {
        private final String topic;
        private final EventDecoder decoder;

        Parse(String topic, TagKeys tagKeys) {
            this.topic = topic;
            this.decoder = new EventDecoder(tagKeys);
        }

        @Override
        public TelemetryEvent map(byte[] value) {
            // -1: a record without timestamp (the future bound is then measured from now).
            TelemetryEvent event = decoder.decode(topic, null, value, -1L);
            if (event.isRejected()) { // measuring the dead-letter path instead would prove nothing
                throw new IllegalStateException("a synthetic event was rejected: " + event.reason);
            }
            return event;
        }
    }

    /** The minimal keyed job: remember the first event of an id, emit when its partner arrives. */
    static final class Pairing extends RichFlatMapFunction<TelemetryEvent, Long> {
        private transient ValueState<TelemetryEvent> first;

        @Override
        public void open(OpenContext openContext) {
            first = getRuntimeContext().getState(new ValueStateDescriptor<>("first", TelemetryEvent.class));
        }

        @Override
        public void flatMap(TelemetryEvent event, Collector<Long> out) throws Exception {
            TelemetryEvent seen = first.value();
            if (seen == null) {
                first.update(event);
            } else {
                first.clear();
                out.collect(event.timestamp - seen.timestamp);
            }
        }
    }
}
