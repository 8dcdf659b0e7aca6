-- Custom dimensions (docs/ATTRIBUTION.md#custom-dimensions): per row, the calls of each value of the
-- tenant's declared tag keys (ids key=value, a capped number of values per key, the rest under
-- key=other), merged across rows like the end-user summaries. NULL when the tenant declared none.
ALTER TABLE llm_metrics
    ADD COLUMN top_tags BYTEA;

ALTER TABLE llm_metrics_hourly
    ADD COLUMN top_tags BYTEA;
