package dev.streamlens.job.io;

import dev.streamlens.job.JobSettings;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * Window rows into PostgreSQL by idempotent upsert of full values on the unique key
 * ({@link MetricsRowJdbc#upsert}): a replay after a restore writes the same values again, and an
 * older revision never overwrites a newer one. At-least-once delivery plus this upsert gives an
 * exactly-once table without XA.
 */
public final class PostgresSink {

    private PostgresSink() {
    }

    /** Upserts into {@link MetricsRowJdbc#MINUTES} or {@link MetricsRowJdbc#HOURS}. */
    public static JdbcSink<MetricsRow> upserts(JobSettings settings, String table) {
        return JdbcSink.<MetricsRow>builder()
                .withQueryStatement(MetricsRowJdbc.upsert(table), MetricsRowJdbc::bind)
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(500)
                        .withBatchIntervalMs(200)
                        .withMaxRetries(5)
                        .build())
                .buildAtLeastOnce(new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(settings.jdbcUrl)
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(settings.jdbcUser)
                        .withPassword(settings.jdbcPassword)
                        .build());
    }
}
