package dev.streamlens.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.attribution.Contributors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads what the job wrote: rows of llm_metrics, and committed records of a topic. */
public final class PipelineOutputs {

    /**
     * One window as the job reported it (from a table row or a topic record); {@code users} and
     * {@code sessions} are null when the source leaves the summaries out (the query API's rows).
     */
    public record Actual(
            long requests,
            long errors,
            long timeouts,
            Double avgLatency,
            Double p50,
            Double p95,
            Double p99,
            Double avgPrompt,
            Double avgCompletion,
            long totalPrompt,
            long totalCompletion,
            BigDecimal cost,
            long unpriced,
            int revision,
            long cachedPrompt,
            long cacheWrite,
            long reasoning,
            long streamed,
            Double ttftP50,
            Double ttftP95,
            Double ttftP99,
            Double outputTokensPerSecond,
            long truncated,
            long priceVersion,
            Attributed users,
            Attributed sessions,
            Attributed features) {}

    /**
     * A row's end-user or session summary as plain figures (comparable by value): per id held, what
     * is counted (cost in nano-dollars, requests, tokens, errors); per figure the total and the error bound.
     */
    public record Attributed(Map<String, List<Long>> counted, List<Long> totals, List<Long> errorBounds) {
        public static Attributed of(byte[] encoded) {
            if (encoded == null) {
                return new Attributed(Map.of(), List.of(0L, 0L, 0L, 0L), List.of(0L, 0L, 0L, 0L));
            }
            Contributors summary = Contributors.decode(encoded);
            Map<String, List<Long>> counted = new java.util.TreeMap<>();
            for (String id : summary.ids()) {
                counted.put(
                        id,
                        java.util.Arrays.stream(summary.of(id).counted())
                                .boxed()
                                .toList());
            }
            List<Long> totals = new ArrayList<>();
            List<Long> bounds = new ArrayList<>();
            for (Contributors.Figure figure : Contributors.Figure.values()) {
                totals.add(summary.total(figure));
                bounds.add(summary.errorBound(figure));
            }
            return new Attributed(counted, totals, bounds);
        }

        /**
         * The values of one tag key in a row's tag summary, keyed by value ("" for calls without
         * one); null when the row has no tag summary (the job declared no keys, or a query API row).
         */
        public static Attributed ofTag(byte[] encoded, String key) {
            if (encoded == null) {
                return null;
            }
            Contributors summary = Contributors.decode(encoded);
            Map<String, List<Long>> counted = new java.util.TreeMap<>();
            long[] totals = new long[Contributors.Figure.values().length];
            for (String id : summary.ids()) {
                if (dev.streamlens.model.attribution.Tags.isOf(id, key)) {
                    long[] figures = summary.of(id).counted();
                    counted.put(
                            dev.streamlens.model.attribution.Tags.value(id),
                            java.util.Arrays.stream(figures).boxed().toList());
                    for (int f = 0; f < totals.length; f++) {
                        totals[f] += figures[f];
                    }
                }
            }
            List<Long> bounds = new ArrayList<>();
            for (Contributors.Figure figure : Contributors.Figure.values()) {
                bounds.add(summary.errorBound(figure));
            }
            return new Attributed(
                    counted, java.util.Arrays.stream(totals).boxed().toList(), bounds);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PipelineOutputs() {}

    public static Map<ExpectedMetrics.Key, Actual> table(DataSource ds) {
        return table(ds, "llm_metrics");
    }

    public static Map<ExpectedMetrics.Key, Actual> table(DataSource ds, String table) {
        Map<ExpectedMetrics.Key, Actual> rows = new HashMap<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
            while (rs.next()) {
                rows.put(
                        new ExpectedMetrics.Key(
                                rs.getString("tenant_id"),
                                rs.getString("route"),
                                rs.getString("model"),
                                rs.getTimestamp("window_start").toInstant().toEpochMilli()),
                        new Actual(
                                rs.getLong("requests"),
                                rs.getLong("errors"),
                                rs.getLong("timeouts"),
                                (Double) rs.getObject("avg_latency_ms"),
                                (Double) rs.getObject("p50_latency_ms"),
                                (Double) rs.getObject("p95_latency_ms"),
                                (Double) rs.getObject("p99_latency_ms"),
                                (Double) rs.getObject("avg_prompt_tokens"),
                                (Double) rs.getObject("avg_completion_tokens"),
                                rs.getLong("total_prompt_tokens"),
                                rs.getLong("total_completion_tokens"),
                                rs.getBigDecimal("estimated_cost_usd"),
                                rs.getLong("unpriced_requests"),
                                rs.getInt("revision"),
                                rs.getLong("cached_prompt_tokens"),
                                rs.getLong("cache_write_tokens"),
                                rs.getLong("reasoning_tokens"),
                                rs.getLong("streamed_requests"),
                                (Double) rs.getObject("p50_ttft_ms"),
                                (Double) rs.getObject("p95_ttft_ms"),
                                (Double) rs.getObject("p99_ttft_ms"),
                                (Double) rs.getObject("output_tokens_per_second"),
                                rs.getLong("truncated_requests"),
                                rs.getLong("price_version"),
                                Attributed.of(rs.getBytes("top_users")),
                                Attributed.of(rs.getBytes("top_sessions")),
                                Attributed.ofTag(rs.getBytes("top_tags"), "feature")));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** Every committed record of llm.metrics, parsed, in offset order per partition. */
    public static List<JsonNode> metricsRecords(String bootstrap) {
        List<JsonNode> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : committed(bootstrap, dev.streamlens.model.Topics.METRICS)) {
            try {
                values.add(JSON.readTree(r.value()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return values;
    }

    /**
     * Each window as a reader of llm.metrics must take it, by the rule PostgreSQL applies: the
     * newest revision of the run that wrote the window first (a later run, started without state,
     * never replaces it). Records come in offset order, and a window's records share a partition.
     */
    public static Map<ExpectedMetrics.Key, Actual> latestRevisions(List<JsonNode> records) {
        Map<ExpectedMetrics.Key, Actual> latest = new HashMap<>();
        Map<ExpectedMetrics.Key, String> firstRun = new HashMap<>();
        for (JsonNode n : records) {
            ExpectedMetrics.Key key = new ExpectedMetrics.Key(
                    n.get("tenant_id").asText(),
                    n.get("route").asText(),
                    n.get("model").asText(),
                    Instant.parse(n.get("window_start").asText()).toEpochMilli());
            String run = n.path("job_run").asText("");
            if (!firstRun.computeIfAbsent(key, k -> run).equals(run)) {
                continue;
            }
            Actual actual = new Actual(
                    n.get("requests").asLong(),
                    n.get("errors").asLong(),
                    n.get("timeouts").asLong(),
                    nullable(n, "avg_latency_ms"),
                    nullable(n, "p50_latency_ms"),
                    nullable(n, "p95_latency_ms"),
                    nullable(n, "p99_latency_ms"),
                    nullable(n, "avg_prompt_tokens"),
                    nullable(n, "avg_completion_tokens"),
                    n.get("total_prompt_tokens").asLong(),
                    n.get("total_completion_tokens").asLong(),
                    new BigDecimal(n.get("estimated_cost_usd").asText()),
                    n.get("unpriced_requests").asLong(),
                    n.path("revision").asInt(),
                    n.path("cached_prompt_tokens").asLong(),
                    n.path("cache_write_tokens").asLong(),
                    n.path("reasoning_tokens").asLong(),
                    n.path("streamed_requests").asLong(),
                    nullable(n, "p50_ttft_ms"),
                    nullable(n, "p95_ttft_ms"),
                    nullable(n, "p99_ttft_ms"),
                    nullable(n, "output_tokens_per_second"),
                    n.path("truncated_requests").asLong(),
                    n.path("price_version").asLong(),
                    summary(n, "top_users"),
                    summary(n, "top_sessions"),
                    n.hasNonNull("top_tags") ? Attributed.ofTag(bytes(n, "top_tags"), "feature") : null);
            latest.merge(key, actual, (a, b) -> a.revision() >= b.revision() ? a : b);
        }
        return latest;
    }

    /**
     * A record's summary of users or sessions; null when the record leaves it out, as the query
     * API's rows do (its users and sessions endpoints serve the summaries).
     */
    private static Attributed summary(JsonNode record, String field) {
        return record.hasNonNull(field) ? Attributed.of(bytes(record, field)) : null;
    }

    private static byte[] bytes(JsonNode record, String field) {
        JsonNode value = record.path(field);
        try {
            return value.isTextual() ? value.binaryValue() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a topic from the beginning to its current end with read_committed. */
    public static List<ConsumerRecord<byte[], byte[]>> committed(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static Double nullable(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asDouble();
    }
}
