-- Calls whose output stopped at the token limit (finish_reason length or max_tokens;
-- docs/DESIGN.md#what-the-numbers-mean): a summed count like errors. Rows written before hold 0.
ALTER TABLE llm_metrics
    ADD COLUMN truncated_requests BIGINT NOT NULL DEFAULT 0;

ALTER TABLE llm_metrics_hourly
    ADD COLUMN truncated_requests BIGINT NOT NULL DEFAULT 0;
