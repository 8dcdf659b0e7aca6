package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.MetricsPipeline;
import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.LateEvent;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.pricing.CallPricer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Late arrivals land where rule 7 says, never nowhere (docs/DESIGN.md#what-the-numbers-mean): the real pipeline on a
 * mini-cluster, fed a script of events and watermarks so that every case happens exactly as
 * written, and the job's counters agree with what reaches its late-events and dead-letter outputs.
 * Window 5 s, allowed lateness 5 s, join timeout 10 s; times are milliseconds.
 */
class LateArrivalsIT {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .build());

    @Test
    void responsesOnTimeWithLateRequestsReviseTheirWindowOrBecomeLateEventsAndTheCountersAgree() throws Exception {
        List<TelemetryEvent> script = List.of(
                request("q0", 1000),
                response("q0", 1500),
                response("r1", 2000),
                response("r2", 2100),
                response("r4", 3000),
                response("r3", 4800),
                watermark(5000), // window [0, 5 s) fires: revision 1
                request("r1", 1900), // within the lateness: revision 2
                watermark(11_000), // the window is closed for good (at 10 s)
                request("r2", 2000), // too late for the window: a late event
                request("r3", 7800), // its response came 3 s early, in the closed window: a late event,
                // though 7.8 s itself is not late yet
                watermark(15_000),
                request("r4", 2500), // after a 429 and a retry: a late event, not an orphan plus a timeout
                request("r5", 6000), // a late call: its request, then a watermark past its deadline,
                watermark(16_000), // which counts a timeout in [15 s, 20 s),
                response("r5", 6500)); // then its response: the timeout is taken back, the call is late

        // Two sources the test feeds step by step (each input of the join gets every watermark), with a
        // pause after each step so that both inputs have been processed before the next one.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        Fed requests = new Fed(
                "requests",
                script.stream()
                        .filter(e -> e.kind != TelemetryEvent.Kind.RESPONSE)
                        .count());
        Fed responses = new Fed(
                "responses",
                script.stream()
                        .filter(e -> e.kind != TelemetryEvent.Kind.REQUEST)
                        .count());
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                requests.stream(env),
                responses.stream(env),
                new MetricsPipeline.Timing(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5)),
                CallPricer.catalogOnly());
        out.rows().sinkTo(new Collected<>("rows"));
        out.lateEvents().sinkTo(new Collected<>("late"));
        out.deadLetters().sinkTo(new Collected<>("dead"));
        JobClient job = env.executeAsync("late arrivals");
        for (TelemetryEvent step : script) {
            if (step.kind != TelemetryEvent.Kind.RESPONSE) {
                requests.feed(step);
            }
            if (step.kind != TelemetryEvent.Kind.REQUEST) {
                responses.feed(step);
            }
            Thread.sleep(300);
        }
        JobExecutionResult result = job.getJobExecutionResult().get(1, TimeUnit.MINUTES);

        List<MetricsRow> rows = Collected.of("rows");
        List<MetricsRow> first =
                rows.stream().filter(r -> r.windowStart().toEpochMilli() == 0).toList();
        assertThat(first).extracting(MetricsRow::revision).containsExactly(1, 2);
        assertThat(first.get(1).requests()).isEqualTo(2);
        assertThat(first)
                .allSatisfy(
                        r -> assertThat(r.timeouts()).as("no phantom timeout").isZero());
        // The window of r5's deadline: the timeout and its retraction land together before it fires.
        assertThat(rows.stream().filter(r -> r.windowStart().toEpochMilli() != 0))
                .extracting(r -> r.windowStart().toEpochMilli() + ":" + r.requests() + ":" + r.timeouts())
                .containsExactly("15000:0:0");

        List<LateEvent> late = Collected.of("late");
        assertThat(late)
                .extracting(l -> l.call.requestId + ":" + l.call.eventTime + ":" + l.call.timeout)
                .containsExactlyInAnyOrder("r2:2100:false", "r3:4800:false", "r4:3000:false", "r5:6500:false");
        List<DeadLetter> dead = Collected.of("dead");
        assertThat(dead).as("no orphan").isEmpty();

        assertThat(counter(result, "streamlens_late_events")).isEqualTo(late.size());
        assertThat(counter(result, "streamlens_dead_letters")).isEqualTo(dead.size());
        assertThat(counter(result, "streamlens_orphan_responses")).isZero();
        assertThat(counter(result, "streamlens_timeouts")).isEqualTo(1);
        assertThat(counter(result, "streamlens_retracted_timeouts")).isEqualTo(1);
    }

    private static long counter(JobExecutionResult result, String name) {
        return METRICS.findMetrics(result.getJobID(), name).values().stream()
                .mapToLong(metric -> ((Counter) metric).getCount())
                .sum();
    }

    private static TelemetryEvent request(String id, long ts) {
        return TelemetryEvent.request(id, ts, "acme", "chat", "gpt-4o", 10);
    }

    private static TelemetryEvent response(String id, long ts) {
        return TelemetryEvent.response(id, ts, 100.0, 20, false, null);
    }

    /** A scripted watermark: a clock tick carrying the watermark's time. */
    private static TelemetryEvent watermark(long ts) {
        return TelemetryEvent.clockTick(ts);
    }

    /** A bounded source of {@code count} events that the test hands over one by one. */
    private static final class Fed {
        private static final Map<String, BlockingQueue<TelemetryEvent>> QUEUES = new ConcurrentHashMap<>();
        private final String name;
        private final long count;

        Fed(String name, long count) {
            this.name = name;
            this.count = count;
            QUEUES.put(name, new LinkedBlockingQueue<>());
        }

        void feed(TelemetryEvent event) {
            QUEUES.get(name).add(event);
        }

        DataStream<TelemetryEvent> stream(StreamExecutionEnvironment env) {
            String queue = name;
            GeneratorFunction<Long, TelemetryEvent> next =
                    index -> QUEUES.get(queue).poll(1, TimeUnit.MINUTES);
            return env.fromSource(
                    new DataGeneratorSource<>(next, count, TypeInformation.of(TelemetryEvent.class)),
                    WatermarkStrategy.<TelemetryEvent>forGenerator(ctx -> new Scripted())
                            .withTimestampAssigner((e, ts) -> e.timestamp),
                    name);
        }
    }

    /** Emits the script's watermarks exactly where they stand. */
    private static final class Scripted implements WatermarkGenerator<TelemetryEvent> {
        @Override
        public void onEvent(TelemetryEvent event, long timestamp, WatermarkOutput output) {
            if (event.isClockTick()) {
                output.emitWatermark(new Watermark(event.timestamp));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    /** Collects what reaches a sink, by name, in this JVM (the mini-cluster runs in it). */
    private static final class Collected<T> implements Sink<T> {
        private static final Map<String, List<Object>> OUTPUTS = new ConcurrentHashMap<>();
        private final String name;

        Collected(String name) {
            this.name = name;
            OUTPUTS.put(name, new CopyOnWriteArrayList<>());
        }

        @SuppressWarnings("unchecked")
        static <T> List<T> of(String name) {
            return new ArrayList<>((List<T>) (List<?>) OUTPUTS.get(name));
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {
                    OUTPUTS.get(name).add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
