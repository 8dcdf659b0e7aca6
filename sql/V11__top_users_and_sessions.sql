-- Who the calls were for (docs/ATTRIBUTION.md): per row, a bounded summary of the heaviest end users
-- and sessions by cost, requests, tokens and errors, merged across rows like the latency sketches.
-- Rows written before hold NULL: their calls count under no id.
ALTER TABLE llm_metrics
    ADD COLUMN top_users BYTEA,
    ADD COLUMN top_sessions BYTEA;

ALTER TABLE llm_metrics_hourly
    ADD COLUMN top_users BYTEA,
    ADD COLUMN top_sessions BYTEA;
