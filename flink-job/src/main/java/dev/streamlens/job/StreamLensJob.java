package dev.streamlens.job;

import dev.streamlens.job.alerts.AlertRuleChange;
import dev.streamlens.job.alerts.AlertStep;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.io.AlertsStore;
import dev.streamlens.job.io.ClockTicks;
import dev.streamlens.job.io.JdbcTarget;
import dev.streamlens.job.io.KafkaSinks;
import dev.streamlens.job.io.KafkaSources;
import dev.streamlens.job.io.ParquetExport;
import dev.streamlens.job.io.PipelineProgress;
import dev.streamlens.job.io.PostgresCommitter;
import dev.streamlens.job.io.PostgresMetricsSink;
import dev.streamlens.job.time.ControlInputTime;
import dev.streamlens.job.time.EventTimeStrategy;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceVersions;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point: {@code flink run flink-job.jar [options]} on a cluster, or {@code main} on a local
 * mini-cluster. Wires the Kafka sources, {@link MetricsPipeline} and the sinks.
 */
public final class StreamLensJob {

    private static final Logger LOG = LoggerFactory.getLogger(StreamLensJob.class);

    private StreamLensJob() {}

    public static void main(String[] args) throws Exception {
        JobSettings settings = new JobSettings();
        CommandLine cli = JobSettings.commandLine(settings, System.getenv());
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            // No System.exit: on a cluster, main runs inside the JobManager (REST submission).
            throw new IllegalArgumentException(e.getMessage() + System.lineSeparator() + cli.getUsageMessage(), e);
        }
        if (cli.isUsageHelpRequested() || cli.isVersionHelpRequested()) {
            cli.usage(System.out);
            return;
        }
        settings.validate();
        LOG.info("StreamLens job settings: {}", settings);

        Configuration conf = JobConfiguration.of(settings);
        StreamExecutionEnvironment env;
        if (settings.localWebUiPort > 0) {
            JobConfiguration.localCluster(conf, settings.localWebUiPort);
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        } else {
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        }
        build(env, settings);
        env.execute(settings.jobName());
        if (settings.localWebUiPort > 0) {
            // The job has finished (e.g. stopped with a savepoint): the local mini-cluster leaves
            // non-daemon threads behind that would keep this process alive for nothing.
            LOG.info("the job has finished; the local mini-cluster exits");
            System.exit(0);
        }
    }

    /**
     * Adds the whole job (sources, clock ticks, pipeline, sinks) to an environment, or with
     * {@code --recompute-from} the recompute of a past range ({@link RecomputeJob}).
     */
    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        if (settings.isRecompute()) {
            RecomputeJob.build(env, settings);
            return;
        }
        JobEnvironment.configure(env, settings);
        WatermarkStrategy<TelemetryEvent> eventTime = EventTimeStrategy.of(settings.outOfOrderness);
        DataStream<TelemetryEvent> requests = JobEnvironment.eventSource(
                env,
                settings,
                Topics.REQUESTS,
                KafkaSources.events(
                        settings.kafkaBrokers,
                        settings.consumerGroup,
                        Topics.REQUESTS,
                        settings.partitionDiscoveryInterval,
                        JobConfiguration.CHECKPOINT_TIMEOUT,
                        settings.declaredTags()),
                eventTime);
        DataStream<TelemetryEvent> responses = JobEnvironment.eventSource(
                env,
                settings,
                Topics.RESPONSES,
                KafkaSources.events(
                        settings.kafkaBrokers,
                        settings.consumerGroup,
                        Topics.RESPONSES,
                        settings.partitionDiscoveryInterval,
                        JobConfiguration.CHECKPOINT_TIMEOUT,
                        settings.declaredTags()),
                eventTime);
        ClockTicks.addTo(
                env,
                settings.kafkaBrokers,
                List.of(Topics.REQUESTS, Topics.RESPONSES),
                settings.idleTimeout,
                settings.partitionDiscoveryInterval);

        JdbcTarget postgres = new JdbcTarget(settings.jdbcUrl, settings.jdbcUser, settings.jdbcPassword);
        // A start without state resumes at the watermark earlier runs committed (docs/DESIGN.md, "A start without
        // state").
        // Prices: the job's file and the catalog, the versions published so far, and those to come.
        DataStream<String> priceUpdates = env.fromSource(
                        KafkaSources.priceVersions(
                                settings.kafkaBrokers, settings.consumerGroup, JobConfiguration.CHECKPOINT_TIMEOUT),
                        ControlInputTime.<String>neverHoldsBack(),
                        Topics.PRICES)
                .setParallelism(Math.min(
                        env.getParallelism(), KafkaSources.partitionCount(settings.kafkaBrokers, Topics.PRICES)))
                .uid("source-price-versions");
        MetricsPipeline.Prices prices = new MetricsPipeline.Prices(
                new PriceVersions(
                        CallPricer.load(settings.pricingFile),
                        KafkaSources.publishedPriceVersions(settings.kafkaBrokers)),
                priceUpdates);
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                requests,
                responses,
                MetricsPipeline.Timing.of(settings),
                prices,
                settings.tenantScopedRequestIds,
                PipelineProgress.committedWatermark(postgres),
                settings.tagValueCap);

        KafkaSinks.Target kafka = new KafkaSinks.Target(
                settings.kafkaBrokers,
                settings.transactionalIdPrefix,
                settings.kafkaTransactionTimeout,
                JobConfiguration.CHECKPOINT_TIMEOUT);
        // Its own uid since it stopped being a Sink V2 (whose committer kept its rows under another).
        PostgresMetricsSink.addTo(
                        out.rows(),
                        postgres,
                        new PipelineProgress.Timing(settings.window, settings.allowedLateness),
                        PostgresCommitter.Mode.LIVE)
                .uid("sink-postgres")
                .name("llm_metrics and llm_metrics_hourly");
        out.rows().sinkTo(KafkaSinks.metrics(kafka)).uid("sink-metrics-topic").name("llm.metrics");
        if (settings.exportDir != null) {
            out.rows()
                    .sinkTo(ParquetExport.sink(settings.exportDir))
                    .uid("sink-parquet-export")
                    .name("Parquet export");
        }
        out.deadLetters()
                .sinkTo(KafkaSinks.deadLetters(kafka))
                .uid("sink-dead-letter")
                .name("llm.dead-letter");
        out.lateEvents()
                .sinkTo(KafkaSinks.lateEvents(kafka))
                .uid("sink-late-events")
                .name("llm.late-events");

        DataStream<AlertRuleChange> rules = env.fromSource(
                        KafkaSources.alertRules(
                                settings.kafkaBrokers, settings.consumerGroup, JobConfiguration.CHECKPOINT_TIMEOUT),
                        AlertStep.rulesTime(),
                        Topics.ALERT_RULES)
                .setParallelism(Math.min(
                        env.getParallelism(), KafkaSources.partitionCount(settings.kafkaBrokers, Topics.ALERT_RULES)))
                .uid("source-alert-rules");
        AlertStep.build(out.rows(), rules, settings.window, AlertsStore.openAlerts(postgres))
                .sinkTo(KafkaSinks.alerts(kafka))
                .uid("sink-alerts")
                .name("llm.alerts");
    }
}
