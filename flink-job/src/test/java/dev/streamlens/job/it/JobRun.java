package dev.streamlens.job.it;

import dev.streamlens.job.JobConfiguration;
import dev.streamlens.job.JobSettings;
import dev.streamlens.job.StreamLensJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/** Starts the real job (as {@code main} wires it) on the test's mini-cluster, and feeds it. */
final class JobRun {

    /** The price table the workload tests use, written to a file and passed with --pricing-file. */
    static final String PRICES = """
            {"models": {"gpt-4o": {"input_per_million": 2.5, "output_per_million": 10.0},
                        "gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6},
                        "claude-3-5-sonnet": {"input_per_million": 3.0, "output_per_million": 15.0}}}
            """;

    private JobRun() {}

    /** Settings parsed from arguments, exactly as {@code flink run <jar> ...} would get them. */
    static JobSettings settings(String kafka, String jdbcUrl, Path workDir, String... extra) {
        try {
            Path prices = workDir.resolve("prices.json");
            Files.writeString(prices, PRICES);
            List<String> args = new ArrayList<>(List.of(
                    "--kafka-brokers",
                    kafka,
                    "--jdbc-url",
                    jdbcUrl,
                    "--jdbc-user",
                    "postgres",
                    "--jdbc-password",
                    "postgres",
                    "--pricing-file",
                    prices.toString(),
                    "--checkpoint-dir",
                    workDir.resolve("checkpoints").toUri().toString(),
                    "--checkpoint-interval",
                    "1s",
                    "--parallelism",
                    "2"));
            args.addAll(List.of(extra));
            JobSettings settings = new JobSettings();
            new CommandLine(settings).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
            settings.validate();
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JobClient start(JobSettings settings, Path workDir) throws Exception {
        Configuration conf = JobConfiguration.of(settings);
        // RocksDB dislikes the long paths of JUnit's temp folders: a short one under target/.
        Path rocks = Files.createDirectories(workDir.resolve("rocks"));
        conf.setString("state.backend.rocksdb.localdir", rocks.toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        StreamLensJob.build(env, settings);
        return env.executeAsync(settings.jobName());
    }

    static KafkaProducer<String, byte[]> producer(String kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends deliveries in order, optionally paced to {@code perSecond}, and waits for every ack. */
    static void produce(String kafka, List<Workload.Delivery> deliveries, int perSecond) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            long started = System.nanoTime();
            int sent = 0;
            for (Workload.Delivery d : deliveries) {
                producer.send(new ProducerRecord<>(d.topic(), d.key(), d.value()));
                sent++;
                if (perSecond > 0 && sent % 50 == 0) {
                    long due = started + TimeUnit.SECONDS.toNanos(1) * sent / perSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            }
            producer.flush();
        }
    }

    /** Polls until {@code check} returns no differences, failing with the last ones after {@code timeout}. */
    static void awaitNoDifferences(String what, Supplier<List<String>> check, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> last = check.get();
        while (!last.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            last = check.get();
        }
        if (!last.isEmpty()) {
            throw new AssertionError(what + " still differs after " + timeout.toSeconds() + " s: " + last.size()
                    + " differences, first: " + last.subList(0, Math.min(10, last.size())));
        }
    }
}
