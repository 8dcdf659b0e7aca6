package dev.streamlens.job.io;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends one clock tick to every partition of the given topics for each element it receives
 * (see {@code ClockTicks}). A tick is a record with the header {@value #HEADER}, no key, and a
 * small JSON value for people reading the topic; its record timestamp says when it was written.
 * Ticks are best effort: one that is lost only delays a watermark until the next.
 */
public final class ClockTickWriter implements Sink<Long> {

    private static final long serialVersionUID = 1L;

    /** Marks a record as a clock tick; readers other than the job should skip such records. */
    public static final String HEADER = "streamlens.clock-tick";

    private final String brokers;
    private final List<String> topics;
    private final Duration partitionDiscovery;

    /** Writes ticks to every partition of {@code topics}, learning of new ones within {@code partitionDiscovery}. */
    public ClockTickWriter(String brokers, List<String> topics, Duration partitionDiscovery) {
        this.brokers = brokers;
        this.topics = List.copyOf(topics);
        this.partitionDiscovery = partitionDiscovery;
    }

    @Override
    public SinkWriter<Long> createWriter(WriterInitContext context) {
        return new Writer(
                brokers, topics, partitionDiscovery, context.metricGroup().counter("streamlens_clock_ticks_failed"));
    }

    private static final class Writer implements SinkWriter<Long> {

        private static final Logger LOG = LoggerFactory.getLogger(ClockTickWriter.class);

        private final KafkaProducer<byte[], byte[]> producer;
        private final List<String> topics;
        private final Counter failed;
        private long lastWarning;

        Writer(String brokers, List<String> topics, Duration partitionDiscovery, Counter failed) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "streamlens-clock-ticks");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            // Never hold the task up for long: a tick that cannot be sent is simply skipped.
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            // A partition the producer does not know gets no tick and holds every watermark back:
            // refresh the partition list as often as the sources look for new partitions (Kafka's
            // default is 5 minutes).
            props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, Long.toString(partitionDiscovery.toMillis()));
            this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            this.topics = topics;
            this.failed = failed;
        }

        @Override
        public void write(Long tick, Context context) {
            byte[] value = ("{\"streamlens_clock_tick\":\"" + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8);
            for (String topic : topics) {
                try {
                    for (PartitionInfo partition : producer.partitionsFor(topic)) {
                        // No timestamp: the broker's append time (or this producer's clock) is the tick's time.
                        ProducerRecord<byte[], byte[]> record =
                                new ProducerRecord<>(topic, partition.partition(), null, null, value);
                        record.headers().add(HEADER, new byte[0]);
                        producer.send(record, (metadata, e) -> {
                            if (e != null) {
                                failed(topic, e);
                            }
                        });
                    }
                } catch (RuntimeException e) {
                    failed(topic, e);
                }
            }
        }

        private void failed(String topic, Exception e) {
            failed.inc();
            long now = System.currentTimeMillis();
            if (now - lastWarning > 60_000) {
                lastWarning = now;
                LOG.warn(
                        "could not write a clock tick to {} (windows close only with new events until it works): {}",
                        topic,
                        e.toString());
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            // Ticks need not be durable at a checkpoint.
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(2));
        }
    }
}
