-- Progress per sink subtask (docs/DESIGN.md#freshness). Each subtask of the job's PostgreSQL sink
-- commits its own rows with the watermark it had reached; pipeline_progress is the lowest of them,
-- recomputed in the same transaction, so it never calls a window complete while another
-- subtask's rows of it are not yet committed. `subtasks` is the parallelism the row was written
-- at: after a rescale, rows of the old parallelism no longer count once every new subtask has
-- written its own.
CREATE TABLE pipeline_progress_subtasks (
    pipeline     VARCHAR(64) NOT NULL,
    subtask      INTEGER     NOT NULL,
    subtasks     INTEGER     NOT NULL,
    watermark_ms BIGINT      NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, subtask)
);

-- The end of time (Long.MAX_VALUE), left by a drained stop (flink stop --drain) before the job
-- stopped recording it, is no progress: forget it; the next commit writes a real watermark.
DELETE FROM pipeline_progress WHERE watermark_ms = 9223372036854775807;
