-- How far the results are complete (docs/DESIGN.md#freshness): the newest event-time watermark
-- whose windows' rows are committed, written by the job in the same transaction as the rows. A
-- window [start, end) has fired once end <= watermark_ms + 1, and can no longer change once
-- end + allowed_lateness_ms <= watermark_ms + 1. Long.MAX_VALUE: the input ended (bounded runs).
CREATE TABLE pipeline_progress (
    pipeline            VARCHAR(64) PRIMARY KEY,
    watermark_ms        BIGINT      NOT NULL,
    window_ms           BIGINT      NOT NULL,
    allowed_lateness_ms BIGINT      NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
