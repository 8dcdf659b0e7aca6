package dev.streamlens.job.io;

import dev.streamlens.job.events.EventDecoder;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.model.attribution.TagKeys;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka record → {@link TelemetryEvent}; bad records become rejected events, never exceptions, and
 * the job's own clock ticks ({@link ClockTickWriter}) become tick events.
 */
public final class TelemetryDeserializer implements KafkaRecordDeserializationSchema<TelemetryEvent> {

    private static final long serialVersionUID = 1L;

    private final EventDecoder decoder;

    /** @param tagKeys the tag keys each tenant declared (read from each request's metadata) */
    public TelemetryDeserializer(TagKeys tagKeys) {
        this.decoder = new EventDecoder(tagKeys);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TelemetryEvent> out) {
        if (record.headers().lastHeader(ClockTickWriter.HEADER) != null) {
            out.collect(TelemetryEvent.clockTick(record.timestamp()));
            return;
        }
        out.collect(decoder.decode(record.topic(), record.key(), record.value(), record.timestamp()));
    }

    @Override
    public TypeInformation<TelemetryEvent> getProducedType() {
        return TypeInformation.of(TelemetryEvent.class);
    }
}
