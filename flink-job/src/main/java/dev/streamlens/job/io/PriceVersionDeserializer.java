package dev.streamlens.job.io;

import dev.streamlens.model.pricing.PriceVersion;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records of {@code llm.prices}: each a price version's JSON, passed on as its text (the job keeps
 * versions as text in its broadcast state). A record that is not a price version is skipped and
 * logged: the service that writes the topic validates versions, and the job never fails on a record.
 */
public final class PriceVersionDeserializer implements KafkaRecordDeserializationSchema<String> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PriceVersionDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
        if (record.value() == null) {
            return; // versions are never deleted; a tombstone means nothing here
        }
        try {
            PriceVersion.fromJson(record.value());
            out.collect(new String(record.value(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("skipped price version record at offset {}: {}", record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
