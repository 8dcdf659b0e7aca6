package dev.streamlens.job.io;

import dev.streamlens.job.alerts.AlertRuleChange;
import dev.streamlens.model.AlertRule;
import dev.streamlens.model.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records of {@code llm.alert-rules}: the key is the rule_id, the value the rule's JSON or null (a
 * tombstone: deleted). A record that is not a valid rule is skipped and logged: the service that
 * writes the topic validates rules, and the job never fails on a record.
 */
public final class AlertRuleDeserializer implements KafkaRecordDeserializationSchema<AlertRuleChange> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AlertRuleDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<AlertRuleChange> out) {
        if (record.key() == null) {
            LOG.warn("skipped an alert rule record without a key at offset {}", record.offset());
            return;
        }
        String ruleId = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            out.collect(new AlertRuleChange(ruleId, null));
            return;
        }
        try {
            AlertRule rule = EventJson.mapper().readValue(record.value(), AlertRule.class);
            if (!ruleId.equals(rule.ruleId()) || !rule.problems().isEmpty()) {
                LOG.warn(
                        "skipped alert rule {}: {}",
                        ruleId,
                        ruleId.equals(rule.ruleId()) ? rule.problems() : "its rule_id differs from the record's key");
                return;
            }
            out.collect(new AlertRuleChange(ruleId, rule));
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipped alert rule {}: not a rule ({})", ruleId, e.getMessage());
        }
    }

    @Override
    public TypeInformation<AlertRuleChange> getProducedType() {
        return TypeInformation.of(AlertRuleChange.class);
    }
}
