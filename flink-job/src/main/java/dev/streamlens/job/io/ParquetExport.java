package dev.streamlens.job.io;

import dev.streamlens.model.MetricsRow;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * The minute rows as Parquet files for a warehouse (docs/RETENTION.md#export), under
 * {@code <dir>/date=YYYY-MM-DD/tenant=<tenant>/minutes-….parquet} (Hive-style: DuckDB, Spark,
 * BigQuery and Snowflake read the partition columns from the path). Flink's {@link FileSink}
 * makes a file visible only when the checkpoint that covers it completes, so every committed file
 * holds each row once; files roll at every checkpoint. Every revision of a window is exported: the
 * newest one has the latest {@code exported_at}.
 */
public final class ParquetExport {

    private ParquetExport() {}

    /** @param directory a URI Flink's file systems know: {@code file:///…}, or {@code s3://…} with Flink's S3 plugin */
    public static FileSink<MetricsRow> sink(String directory) {
        return FileSink.forBulkFormat(new Path(directory), new ParquetWriterFactory<>(MetricsRowParquet.writers()))
                .withBucketAssigner(new DateAndTenant())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix("minutes")
                        .withPartSuffix(".parquet")
                        .build())
                .build();
    }

    /** {@code date=<UTC date of the window's start>/tenant=<tenant, URL-encoded>}. */
    static final class DateAndTenant implements BucketAssigner<MetricsRow, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getBucketId(MetricsRow row, Context context) {
            return bucketOf(row);
        }

        static String bucketOf(MetricsRow row) {
            return "date=" + LocalDate.ofInstant(row.windowStart(), ZoneOffset.UTC) + "/tenant="
                    + URLEncoder.encode(row.tenantId(), StandardCharsets.UTF_8);
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }
}
