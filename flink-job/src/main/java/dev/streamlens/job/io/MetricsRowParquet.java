package dev.streamlens.job.io;

import dev.streamlens.model.MetricsRow;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * How a minute row is written to Parquet: the columns of {@code llm_metrics} (names and meaning as
 * there; times as UTC timestamps, the cost as DECIMAL(24,12) like the table's NUMERIC) plus
 * {@code exported_at}, the time the row was written (never twice the same in a JVM), which says
 * which of several exported rows of a window is the newest ({@code docs/RETENTION.md#export}). Written through parquet-avro with a
 * schema made here, so the job's stream stays {@link MetricsRow}.
 */
public final class MetricsRowParquet {

    private static final int COST_PRECISION = 24;
    private static final int COST_SCALE = 12;
    private static final Schema TIMESTAMP = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    private static final Schema COST = LogicalTypes.decimal(COST_PRECISION, COST_SCALE)
            .addToSchema(Schema.create(Schema.Type.BYTES));

    /** The Avro schema of an exported row (Parquet's schema is derived from it). */
    public static final Schema SCHEMA = SchemaBuilder.record("llm_metrics").namespace("dev.streamlens.export").fields()
            .requiredString("tenant_id").requiredString("route").requiredString("model")
            .name("window_start").type(TIMESTAMP).noDefault()
            .name("window_end").type(TIMESTAMP).noDefault()
            .requiredLong("requests").requiredLong("errors").requiredLong("timeouts")
            .optionalDouble("avg_latency_ms").optionalDouble("p50_latency_ms").optionalDouble("p95_latency_ms")
            .optionalDouble("p99_latency_ms").optionalDouble("avg_prompt_tokens").optionalDouble("avg_completion_tokens")
            .requiredLong("total_prompt_tokens").requiredLong("total_completion_tokens")
            .requiredDouble("latency_sum_ms")
            .name("estimated_cost_usd").type(COST).noDefault()
            .requiredLong("unpriced_requests")
            .optionalBytes("latency_sketch")
            .requiredInt("revision").optionalString("job_run")
            .requiredLong("cached_prompt_tokens").requiredLong("cache_write_tokens").requiredLong("reasoning_tokens")
            .requiredLong("streamed_requests")
            .optionalDouble("p50_ttft_ms").optionalDouble("p95_ttft_ms").optionalDouble("p99_ttft_ms")
            .optionalBytes("ttft_sketch")
            .requiredDouble("generation_ms_sum").optionalDouble("output_tokens_per_second")
            .name("exported_at").type(TIMESTAMP).noDefault()
            .endRecord();

    private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

    /**
     * The {@code exported_at} stamps: the wall clock, but never the same or an earlier millisecond
     * twice in this JVM. Revisions of a window come from one subtask within a run and can leave
     * it within one millisecond (two batches at one watermark, a backlog read after a restore);
     * with equal stamps a warehouse could not tell which is newest. A burst of n revisions runs at
     * most n ms ahead of the clock.
     */
    static final class ExportClock {
        private static final AtomicLong LAST = new AtomicLong();

        private ExportClock() {
        }

        static long next() {
            long now = System.currentTimeMillis();
            return LAST.updateAndGet(last -> Math.max(now, last + 1));
        }
    }

    private MetricsRowParquet() {
    }

    /** Opens a Parquet writer of rows on the file the sink hands over (Snappy, as warehouses expect). */
    public static ParquetBuilder<MetricsRow> writers() {
        return out -> new Builder(out).withCompressionCodec(CompressionCodecName.SNAPPY).build();
    }

    /** The row as an Avro record of {@link #SCHEMA}, stamped with the time it is exported. */
    static GenericRecord toRecord(MetricsRow row, long exportedAt) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("tenant_id", row.tenantId());
        r.put("route", row.route());
        r.put("model", row.model());
        r.put("window_start", row.windowStart().toEpochMilli());
        r.put("window_end", row.windowEnd().toEpochMilli());
        r.put("requests", row.requests());
        r.put("errors", row.errors());
        r.put("timeouts", row.timeouts());
        r.put("avg_latency_ms", row.avgLatencyMs());
        r.put("p50_latency_ms", row.p50LatencyMs());
        r.put("p95_latency_ms", row.p95LatencyMs());
        r.put("p99_latency_ms", row.p99LatencyMs());
        r.put("avg_prompt_tokens", row.avgPromptTokens());
        r.put("avg_completion_tokens", row.avgCompletionTokens());
        r.put("total_prompt_tokens", row.totalPromptTokens());
        r.put("total_completion_tokens", row.totalCompletionTokens());
        r.put("latency_sum_ms", row.latencySumMs());
        BigDecimal cost = (row.estimatedCostUsd() == null ? BigDecimal.ZERO : row.estimatedCostUsd())
                .setScale(COST_SCALE, RoundingMode.HALF_EVEN);
        r.put("estimated_cost_usd", DECIMALS.toBytes(cost, COST, COST.getLogicalType()));
        r.put("unpriced_requests", row.unpricedRequests());
        r.put("latency_sketch", row.latencySketch() == null ? null : ByteBuffer.wrap(row.latencySketch()));
        r.put("revision", row.revision());
        r.put("job_run", row.jobRun());
        r.put("cached_prompt_tokens", row.cachedPromptTokens());
        r.put("cache_write_tokens", row.cacheWriteTokens());
        r.put("reasoning_tokens", row.reasoningTokens());
        r.put("streamed_requests", row.streamedRequests());
        r.put("p50_ttft_ms", row.p50TtftMs());
        r.put("p95_ttft_ms", row.p95TtftMs());
        r.put("p99_ttft_ms", row.p99TtftMs());
        r.put("ttft_sketch", row.ttftSketch() == null ? null : ByteBuffer.wrap(row.ttftSketch()));
        r.put("generation_ms_sum", row.generationMsSum());
        r.put("output_tokens_per_second", row.outputTokensPerSecond());
        r.put("exported_at", exportedAt);
        return r;
    }

    private static final class Builder extends ParquetWriter.Builder<MetricsRow, Builder> {
        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<MetricsRow> getWriteSupport(Configuration conf) {
            return new RowWriteSupport();
        }
    }

    /** parquet-avro's write support, fed each row as an Avro record. */
    private static final class RowWriteSupport extends WriteSupport<MetricsRow> {
        private final AvroWriteSupport<GenericRecord> avro =
                new AvroWriteSupport<>(new AvroSchemaConverter().convert(SCHEMA), SCHEMA, GenericData.get());

        @Override
        public WriteContext init(Configuration configuration) {
            return avro.init(configuration);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            avro.prepareForWrite(recordConsumer);
        }

        @Override
        public void write(MetricsRow row) {
            avro.write(toRecord(row, ExportClock.next()));
        }
    }
}
