package dev.streamlens.job;

import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.io.KafkaSinks;
import dev.streamlens.job.io.KafkaSources;
import dev.streamlens.job.io.PostgresSink;
import dev.streamlens.job.time.EventTimeStrategy;
import dev.streamlens.job.window.PriceTable;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.model.Topics;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
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

    private StreamLensJob() {
    }

    public static void main(String[] args) throws Exception {
        JobSettings settings = new JobSettings();
        CommandLine cli = new CommandLine(settings);
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
            conf.set(RestOptions.PORT, settings.localWebUiPort);
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        } else {
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        }
        build(env, settings);
        env.execute(settings.jobName);
    }

    /** Adds the whole job (sources, pipeline, sinks) to an environment. */
    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        if (settings.parallelism > 0) {
            env.setParallelism(settings.parallelism);
        }
        WatermarkStrategy<TelemetryEvent> eventTime =
                EventTimeStrategy.of(settings.outOfOrderness, settings.idleTimeout);
        DataStream<TelemetryEvent> requests = env
                .fromSource(KafkaSources.events(settings, Topics.REQUESTS), eventTime, "llm.requests")
                .uid("source-requests");
        DataStream<TelemetryEvent> responses = env
                .fromSource(KafkaSources.events(settings, Topics.RESPONSES), eventTime, "llm.responses")
                .uid("source-responses");

        MetricsPipeline.Outputs out = MetricsPipeline.build(requests, responses, MetricsPipeline.Timing.of(settings),
                PriceTable.load(settings.pricingFile), settings.tenantScopedRequestIds);

        out.rows().sinkTo(PostgresSink.upserts(settings, MetricsRowJdbc.MINUTES)).uid("sink-postgres")
                .name("upsert llm_metrics");
        out.hourlyRows().sinkTo(PostgresSink.upserts(settings, MetricsRowJdbc.HOURS)).uid("sink-postgres-hourly")
                .name("upsert llm_metrics_hourly");
        out.rows().sinkTo(KafkaSinks.metrics(settings)).uid("sink-metrics-topic").name("llm.metrics");
        out.deadLetters().sinkTo(KafkaSinks.deadLetters(settings)).uid("sink-dead-letter").name("llm.dead-letter");
        out.lateEvents().sinkTo(KafkaSinks.lateEvents(settings)).uid("sink-late-events").name("llm.late-events");
    }
}
