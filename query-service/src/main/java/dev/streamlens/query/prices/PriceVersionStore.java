package dev.streamlens.query.prices;

import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.PriceVersion;
import dev.streamlens.query.AcknowledgedSends;
import io.agroal.api.AgroalDataSource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Price versions (sql/V10 {@code price_versions}, topic {@code llm.prices}): a version is numbered
 * and stored, sent to the topic the job reads, and kept only once Kafka has acknowledged it; a
 * version Kafka did not take is not stored at all, so the table and the topic never disagree.
 */
@ApplicationScoped
public class PriceVersionStore {

    private static final long SEND_TIMEOUT_MS = 5_000;

    /** Kafka did not acknowledge a version: nothing was published. */
    public static final class NotPublished extends Exception {
        NotPublished(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private KafkaProducer<String, byte[]> producer;

    /** Numbers, sends and stores a version; its number once Kafka has it. */
    public PriceVersion publish(Instant effectiveFrom, String source, String entries)
            throws SQLException, NotPublished {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO price_versions (effective_from, source, entries) VALUES (?, ?, ?::jsonb)"
                            + " RETURNING version")) {
                insert.setTimestamp(1, Timestamp.from(effectiveFrom));
                insert.setString(2, source);
                insert.setString(3, entries);
                long number;
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    number = rs.getLong(1);
                }
                PriceVersion version = new PriceVersion(number, effectiveFrom, source, entries);
                try {
                    producer()
                            .send(new ProducerRecord<>(Topics.PRICES, Long.toString(number), version.toJson()))
                            .get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    c.rollback();
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    throw new NotPublished("Kafka did not acknowledge price version " + number, e);
                }
                c.commit();
                return version;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Every version, oldest first, without its entries: number, start, source, when published, size. */
    public List<Map<String, Object>> list() throws SQLException {
        List<Map<String, Object>> versions = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT version, effective_from, source, published_at,"
                                + " octet_length(entries::text) AS bytes FROM price_versions ORDER BY version")) {
            while (rs.next()) {
                Map<String, Object> version = new LinkedHashMap<>();
                version.put("version", rs.getLong("version"));
                version.put(
                        "effective_from",
                        rs.getTimestamp("effective_from").toInstant().toString());
                version.put("source", rs.getString("source"));
                version.put(
                        "published_at",
                        rs.getTimestamp("published_at").toInstant().toString());
                version.put("entries_bytes", rs.getLong("bytes"));
                versions.add(version);
            }
        }
        return versions;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties props =
                    AcknowledgedSends.producerSettings(bootstrapServers, "streamlens-prices", SEND_TIMEOUT_MS);
            // A version may carry a whole catalog (about 400 KB).
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 * 1024 * 1024));
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(2));
        }
    }
}
