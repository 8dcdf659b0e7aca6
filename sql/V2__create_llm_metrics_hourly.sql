-- Hourly rollups of llm_metrics, written by the Flink job as the minute rows of an hour arrive
-- (and are revised): sums of the minutes, averages from the sums, percentiles from the merged
-- sketches. Ranges of hours and days are read from here, so a week of one tenant is ~1,000 rows
-- to merge instead of ~70,000.
CREATE TABLE llm_metrics_hourly (
    id                      BIGSERIAL PRIMARY KEY,
    tenant_id               VARCHAR(255)     NOT NULL,
    route                   VARCHAR(255)     NOT NULL,
    model                   VARCHAR(255)     NOT NULL,
    window_start            TIMESTAMPTZ      NOT NULL,
    window_end              TIMESTAMPTZ      NOT NULL,
    requests                BIGINT           NOT NULL DEFAULT 0,
    errors                  BIGINT           NOT NULL DEFAULT 0,
    timeouts                BIGINT           NOT NULL DEFAULT 0,
    avg_latency_ms          DOUBLE PRECISION,
    p50_latency_ms          DOUBLE PRECISION,
    p95_latency_ms          DOUBLE PRECISION,
    p99_latency_ms          DOUBLE PRECISION,
    avg_prompt_tokens       DOUBLE PRECISION,
    avg_completion_tokens   DOUBLE PRECISION,
    total_prompt_tokens     BIGINT           NOT NULL DEFAULT 0,
    total_completion_tokens BIGINT           NOT NULL DEFAULT 0,
    latency_sum_ms          DOUBLE PRECISION NOT NULL DEFAULT 0,
    estimated_cost_usd      NUMERIC(24, 12)  NOT NULL DEFAULT 0,
    unpriced_requests       BIGINT           NOT NULL DEFAULT 0,
    latency_sketch          BYTEA,
    -- +1 each time a minute row of the hour arrives or is revised
    revision                INTEGER          NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CONSTRAINT llm_metrics_hourly_window_key UNIQUE (tenant_id, route, model, window_start),
    CONSTRAINT llm_metrics_hourly_window_order CHECK (window_end > window_start)
);

CREATE INDEX idx_llm_metrics_hourly_tenant_time
    ON llm_metrics_hourly (tenant_id, window_start DESC);
