package dev.streamlens.job.io;

import dev.streamlens.model.MetricColumns;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Rollup;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
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
    private static final Schema COST =
            LogicalTypes.decimal(COST_PRECISION, COST_SCALE).addToSchema(Schema.create(Schema.Type.BYTES));

    /**
     * The Avro schema of an exported row (Parquet's schema is derived from it): every column of
     * {@link MetricColumns}, in its order, then {@code exported_at}.
     */
    public static final Schema SCHEMA = schema();

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

        private ExportClock() {}

        static long next() {
            long now = System.currentTimeMillis();
            return LAST.updateAndGet(last -> Math.max(now, last + 1));
        }
    }

    private MetricsRowParquet() {}

    /** Opens a Parquet writer of rows on the file the sink hands over (Snappy, as warehouses expect). */
    public static ParquetBuilder<MetricsRow> writers() {
        return out -> new Builder(out)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build();
    }

    /** The row as an Avro record of {@link #SCHEMA}, stamped with the time it is exported. */
    static GenericRecord toRecord(MetricsRow row, long exportedAt) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        for (MetricColumns.Column column : MetricColumns.all()) {
            r.put(column.name(), avroValue(column.of(row), column.valueType()));
        }
        r.put("exported_at", exportedAt);
        return r;
    }

    private static Object avroValue(Object value, MetricColumns.ValueType type) {
        return switch (type) {
            case DECIMAL ->
                DECIMALS.toBytes(
                        (value == null ? BigDecimal.ZERO : (BigDecimal) value)
                                .setScale(COST_SCALE, RoundingMode.HALF_EVEN),
                        COST,
                        COST.getLogicalType());
            case TIME -> value == null ? null : ((Instant) value).toEpochMilli();
            case BYTES -> value == null ? null : ByteBuffer.wrap((byte[]) value);
            case TEXT, LONG, INT, DOUBLE, OPTIONAL_DOUBLE -> value;
        };
    }

    /**
     * Each column's Avro type from its Java type: times as UTC timestamps, the cost as
     * DECIMAL(24,12) like the table's NUMERIC, nullable where the row's value may be null (boxed
     * numbers, sketches, a string that is not part of the key).
     */
    private static Schema schema() {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("llm_metrics")
                .namespace("dev.streamlens.export")
                .fields();
        for (MetricColumns.Column column : MetricColumns.all()) {
            String name = column.name();
            fields = switch (column.valueType()) {
                case TIME -> fields.name(name).type(TIMESTAMP).noDefault();
                case DECIMAL -> fields.name(name).type(COST).noDefault();
                case TEXT ->
                    column.rollup() == Rollup.Kind.KEY ? fields.requiredString(name) : fields.optionalString(name);
                case LONG -> fields.requiredLong(name);
                case INT -> fields.requiredInt(name);
                case DOUBLE -> fields.requiredDouble(name);
                case OPTIONAL_DOUBLE -> fields.optionalDouble(name);
                case BYTES -> fields.optionalBytes(name);
            };
        }
        return fields.name("exported_at").type(TIMESTAMP).noDefault().endRecord();
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
