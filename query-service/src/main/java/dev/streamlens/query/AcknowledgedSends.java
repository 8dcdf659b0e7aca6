package dev.streamlens.query;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer settings of the service's own writes to Kafka (alert rules, price versions): each
 * send is waited for, acknowledged by every in-sync replica, idempotent, and given up within a
 * bounded time, so a Kafka outage answers the caller instead of holding it.
 */
public final class AcknowledgedSends {

    private AcknowledgedSends() {}

    /** @param sendTimeoutMs how long a send may block and wait for its acknowledgement */
    public static Properties producerSettings(String bootstrapServers, String clientId, long sendTimeoutMs) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(sendTimeoutMs));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(sendTimeoutMs));
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return props;
    }
}
