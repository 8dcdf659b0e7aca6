package dev.streamlens.job.io;

import dev.streamlens.job.time.CommittedWatermark;
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
 *
 * <p>Each sink subtask commits its own rows with its own watermark
 * ({@code pipeline_progress_subtasks}, sql/V8); the pipeline's progress is the lowest of them,
 * recomputed under a lock in every commit, so it never runs ahead of a
 * subtask whose rows are not yet committed. It never moves back, and never records the end of
 * time a drained stop sends.
 */
public final class PipelineProgress {

    /** The job's window size and allowed lateness, written with the watermark. */
    public record Timing(Duration window, Duration allowedLateness) implements Serializable {}

    /** Which sink subtask commits, of how many. */
    public record Subtask(int index, int count) implements Serializable {
        public static final Subtask ONLY = new Subtask(0, 1);
    }

    private static final String PIPELINE = "streamlens";

    /**
     * Commits of several subtasks recompute the progress one after another (a transaction-scoped
     * advisory lock; the two-key form, apart from the hours' single-key locks).
     */
    private static final String LOCK = "SELECT pg_advisory_xact_lock(5173, 1)";
    /** A subtask's watermark only moves forward, unless the parallelism changed (then the row is another subtask's). */
    private static final String SUBTASK = "INSERT INTO pipeline_progress_subtasks (pipeline, subtask, subtasks, "
            + "watermark_ms, updated_at) VALUES ('" + PIPELINE
            + "', ?, ?, ?, now()) ON CONFLICT (pipeline, subtask) DO UPDATE "
            + "SET watermark_ms = CASE WHEN pipeline_progress_subtasks.subtasks = excluded.subtasks "
            + "THEN GREATEST(pipeline_progress_subtasks.watermark_ms, excluded.watermark_ms) ELSE excluded.watermark_ms END, "
            + "subtasks = excluded.subtasks, updated_at = now()";

    private static final String LOWEST = "SELECT count(*), min(watermark_ms) FROM pipeline_progress_subtasks "
            + "WHERE pipeline = '" + PIPELINE + "' AND subtasks = ? AND subtask < ?";
    private static final String UPSERT = "INSERT INTO pipeline_progress (pipeline, watermark_ms, window_ms, "
            + "allowed_lateness_ms, updated_at) VALUES ('" + PIPELINE
            + "', ?, ?, ?, now()) ON CONFLICT (pipeline) DO UPDATE SET "
            + "watermark_ms = GREATEST(pipeline_progress.watermark_ms, excluded.watermark_ms), "
            + "window_ms = excluded.window_ms, allowed_lateness_ms = excluded.allowed_lateness_ms, updated_at = now()";

    private PipelineProgress() {}

    /**
     * The end of the newest window that can no longer change ({@code final_until} of the query
     * API), or empty when the job has committed no progress yet.
     */
    public static Optional<Instant> finalUntil(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT watermark_ms, window_ms, allowed_lateness_ms "
                        + "FROM pipeline_progress WHERE pipeline = '" + PIPELINE + "'");
                ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(Completeness.finalUntil(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
        }
    }

    /** Where a job started without state reads the watermark earlier runs committed (one query, at its start). */
    public static CommittedWatermark committedWatermark(JdbcTarget target) {
        return new Committed(target);
    }

    /** Reads the committed watermark; {@link Long#MIN_VALUE} when nothing was committed yet. */
    static long watermark(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                        "SELECT watermark_ms FROM pipeline_progress WHERE pipeline = '" + PIPELINE + "'");
                ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
        }
    }

    /** Records one subtask's watermark and recomputes the pipeline's, in the caller's transaction. */
    static void write(Connection c, long watermark, Timing timing, Subtask subtask) throws SQLException {
        if (watermark == Long.MAX_VALUE || watermark == Long.MIN_VALUE) {
            return; // the end of time is no progress; no watermark yet is none either
        }
        try (PreparedStatement lock = c.prepareStatement(LOCK)) {
            lock.executeQuery().close();
        }
        try (PreparedStatement mine = c.prepareStatement(SUBTASK)) {
            mine.setInt(1, subtask.index());
            mine.setInt(2, subtask.count());
            mine.setLong(3, watermark);
            mine.executeUpdate();
        }
        long lowest;
        try (PreparedStatement select = c.prepareStatement(LOWEST)) {
            select.setInt(1, subtask.count());
            select.setInt(2, subtask.count());
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                if (rs.getInt(1) < subtask.count()) {
                    return; // not every subtask has committed at this parallelism yet: the progress stays
                }
                lowest = rs.getLong(2);
            }
        }
        try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
            upsert.setLong(1, lowest);
            upsert.setLong(2, timing.window().toMillis());
            upsert.setLong(3, timing.allowedLateness().toMillis());
            upsert.executeUpdate();
        }
    }

    private record Committed(JdbcTarget target) implements CommittedWatermark {
        @Override
        public long read() throws SQLException {
            try (Connection c = target.connect()) {
                return watermark(c);
            }
        }
    }
}
