-- Prompt caching, reasoning and streaming (docs/DESIGN.md#what-the-numbers-mean, rules 5 and 6):
-- token sums that are parts of the prompt and completion totals, the streamed calls' time to
-- first token (percentiles, and the mergeable sketch they come from, as for latency) and the
-- generation time behind output tokens per second. Rows written before hold zeros and NULLs.
ALTER TABLE llm_metrics
    ADD COLUMN cached_prompt_tokens BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN streamed_requests BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN p50_ttft_ms DOUBLE PRECISION,
    ADD COLUMN p95_ttft_ms DOUBLE PRECISION,
    ADD COLUMN p99_ttft_ms DOUBLE PRECISION,
    ADD COLUMN ttft_sketch BYTEA,
    ADD COLUMN generation_ms_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN output_tokens_per_second DOUBLE PRECISION;

ALTER TABLE llm_metrics_hourly
    ADD COLUMN cached_prompt_tokens BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN streamed_requests BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN p50_ttft_ms DOUBLE PRECISION,
    ADD COLUMN p95_ttft_ms DOUBLE PRECISION,
    ADD COLUMN p99_ttft_ms DOUBLE PRECISION,
    ADD COLUMN ttft_sketch BYTEA,
    ADD COLUMN generation_ms_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN output_tokens_per_second DOUBLE PRECISION;
