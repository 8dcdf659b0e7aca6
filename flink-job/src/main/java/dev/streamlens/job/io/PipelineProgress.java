package dev.streamlens.job.io;

import dev.streamlens.model.Completeness;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How far the job's results are complete, in {@code pipeline_progress} (sql/V5): the newest
 * watermark whose windows' rows are committed, with the window size and allowed lateness that say
 * which windows have fired and which can no longer change (docs/DESIGN.md#freshness). Written in
 * the same transaction as the rows, so a reader never sees progress ahead of the rows it promises.
 */
public final class PipelineProgress {

    /** The job's window size and allowed lateness, written with the watermark. */
    public record Timing(Duration window, Duration allowedLateness) implements Serializable {
    }

    /**
     * One row per pipeline; the watermark only moves forward (several sink subtasks commit, each
     * with the watermark it had reached; a run started without state does not move it back).
     */
    private static final String UPSERT = "INSERT INTO pipeline_progress (pipeline, watermark_ms, window_ms, "
            + "allowed_lateness_ms, updated_at) VALUES ('streamlens', ?, ?, ?, now()) ON CONFLICT (pipeline) DO UPDATE SET "
            + "watermark_ms = GREATEST(pipeline_progress.watermark_ms, excluded.watermark_ms), "
            + "window_ms = excluded.window_ms, allowed_lateness_ms = excluded.allowed_lateness_ms, updated_at = now()";

    private PipelineProgress() {
    }

    /**
     * The end of the newest window that can no longer change ({@code final_until} of the query
     * API), or empty when the job has committed no progress yet.
     */
    public static Optional<Instant> finalUntil(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT watermark_ms, window_ms, allowed_lateness_ms "
                + "FROM pipeline_progress WHERE pipeline = 'streamlens'");
             ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(Completeness.finalUntil(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
        }
    }

    static void write(Connection c, long watermark, Timing timing) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
            upsert.setLong(1, watermark);
            upsert.setLong(2, timing.window().toMillis());
            upsert.setLong(3, timing.allowedLateness().toMillis());
            upsert.executeUpdate();
        }
    }
}
