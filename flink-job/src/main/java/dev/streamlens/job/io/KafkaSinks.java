package dev.streamlens.job.io;

import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.LateEvent;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Topics;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The job's Kafka outputs, all transactional (exactly once): records become visible to
 * {@code read_committed} readers when the checkpoint that covers them completes.
 */
public final class KafkaSinks {

    /**
     * What the transactional sinks need of the job's settings. {@code outageWait}: how long the
     * producers wait for brokers that went away, the job's checkpoint timeout.
     */
    public record Target(String brokers, String transactionalIdPrefix, Duration transactionTimeout, Duration outageWait)
            implements Serializable {}

    /** Header naming why a record was dead-lettered, and where it came from. */
    public static final String REASON_HEADER = "streamlens.reason";

    public static final String SOURCE_TOPIC_HEADER = "streamlens.source-topic";

    private KafkaSinks() {}

    /**
     * Window rows on llm.metrics, keyed tenant|route|model, value the row JSON with its revision.
     * The record timestamp is when it is written, not the window's: Kafka's retention counts from
     * record timestamps, and a row for a window older than the retention would be deleted at once.
     */
    public static KafkaSink<MetricsRow> metrics(Target settings) {
        return transactional(settings, "metrics", (KafkaRecordSerializationSchema<MetricsRow>)
                (row, ctx, ts) -> new ProducerRecord<>(
                        Topics.METRICS, row.seriesKey().getBytes(StandardCharsets.UTF_8), EventJson.toBytes(row)));
    }

    /** Rejected and orphan records on llm.dead-letter: original key and bytes, reason in a header. */
    public static KafkaSink<DeadLetter> deadLetters(Target settings) {
        return transactional(settings, "dead-letter", (KafkaRecordSerializationSchema<DeadLetter>)
                (letter, ctx, ts) -> {
                    ProducerRecord<byte[], byte[]> record =
                            new ProducerRecord<>(Topics.DEAD_LETTER, letter.key, letter.value);
                    record.headers().add(REASON_HEADER, letter.reason.getBytes(StandardCharsets.UTF_8));
                    record.headers().add(SOURCE_TOPIC_HEADER, letter.sourceTopic.getBytes(StandardCharsets.UTF_8));
                    return record;
                });
    }

    /** Calls too late for their window on llm.late-events, keyed by request_id, as JSON with the reason. */
    public static KafkaSink<LateEvent> lateEvents(Target settings) {
        return transactional(settings, "late", (KafkaRecordSerializationSchema<LateEvent>) (late, ctx, ts) -> {
            var json = EventJson.mapper().createObjectNode();
            json.put("request_id", late.call.requestId);
            json.put("tenant_id", late.call.tenantId);
            json.put("route", late.call.route);
            json.put("model", late.call.model);
            json.put("kind", late.call.timeout ? "timeout" : "call");
            json.put("event_time", Instant.ofEpochMilli(late.call.eventTime).toString());
            if (!late.call.timeout) {
                json.put("latency_ms", late.call.latencyMs);
                json.put("failed", late.call.failed);
                json.put("prompt_tokens", late.call.promptTokens);
                json.put("completion_tokens", late.call.completionTokens);
            }
            json.put("reason", late.reason);
            return new ProducerRecord<>(
                    Topics.LATE_EVENTS,
                    late.call.requestId.getBytes(StandardCharsets.UTF_8),
                    json.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Alert transitions on llm.alerts, keyed by alert_id (one alert's transitions stay in order). */
    public static KafkaSink<AlertTransition> alerts(Target settings) {
        return transactional(settings, "alerts", (KafkaRecordSerializationSchema<AlertTransition>)
                (alert, ctx, ts) -> new ProducerRecord<>(
                        Topics.ALERTS, alert.alertId().getBytes(StandardCharsets.UTF_8), EventJson.toBytes(alert)));
    }

    private static <T> KafkaSink<T> transactional(
            Target settings, String name, KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(settings.brokers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // Stable across restarts, distinct per sink: Kafka fences a restored job's zombies by it.
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + name)
                // The client default (1 h) exceeds a default broker's transaction.max.timeout.ms (15 min).
                .setProperty(
                        "transaction.timeout.ms",
                        Long.toString(settings.transactionTimeout().toMillis()))
                .setProperty("acks", "all")
                // While the brokers are away, a checkpoint waits for them instead of failing the job:
                // Flink fails over at once when its synchronous phase throws, which the client's
                // 60 s (new transactional producer) and 120 s (unsent records) limits would make it do
                // every minute or two of a Kafka outage. The wait ends at the checkpoint's own timeout.
                .setProperty("max.block.ms", Long.toString(settings.outageWait().toMillis()))
                .setProperty(
                        "delivery.timeout.ms",
                        Long.toString(settings.outageWait().toMillis()))
                .build();
    }
}
