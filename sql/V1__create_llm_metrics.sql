-- The seed's llm_metrics table, extended by the SPEC's columns. One row per
-- (tenant, route, model, 1-minute window); the Flink job upserts full values on
-- the unique key, so a late revision replaces the earlier row.
CREATE TABLE llm_metrics (
    id                      BIGSERIAL PRIMARY KEY,
    tenant_id               VARCHAR(255)     NOT NULL,
    route                   VARCHAR(255)     NOT NULL,
    model                   VARCHAR(255)     NOT NULL,
    window_start            TIMESTAMPTZ      NOT NULL,
    window_end              TIMESTAMPTZ      NOT NULL,
    -- joined request/response pairs; timeouts are counted apart, not in requests
    requests                BIGINT           NOT NULL DEFAULT 0,
    errors                  BIGINT           NOT NULL DEFAULT 0,
    timeouts                BIGINT           NOT NULL DEFAULT 0,
    -- null when the window holds no joined pair
    avg_latency_ms          DOUBLE PRECISION,
    p50_latency_ms          DOUBLE PRECISION,
    p95_latency_ms          DOUBLE PRECISION,
    p99_latency_ms          DOUBLE PRECISION,
    avg_prompt_tokens       DOUBLE PRECISION,
    avg_completion_tokens   DOUBLE PRECISION,
    total_prompt_tokens     BIGINT           NOT NULL DEFAULT 0,
    total_completion_tokens BIGINT           NOT NULL DEFAULT 0,
    -- sum of latencies, so rollups recompute the mean from sums, not from means
    latency_sum_ms          DOUBLE PRECISION NOT NULL DEFAULT 0,
    -- exact decimal USD; the job sums costs in integer pico-dollars
    estimated_cost_usd      NUMERIC(24, 12)  NOT NULL DEFAULT 0,
    unpriced_requests       BIGINT           NOT NULL DEFAULT 0,
    -- encoded DDSketch (1% relative accuracy) of the latencies; rollups merge these
    latency_sketch          BYTEA,
    -- 1 for the window's first firing, +1 for each late update
    revision                INTEGER          NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CONSTRAINT llm_metrics_window_key UNIQUE (tenant_id, route, model, window_start),
    CONSTRAINT llm_metrics_window_order CHECK (window_end > window_start),
    CONSTRAINT llm_metrics_counts_non_negative CHECK (requests >= 0 AND errors >= 0 AND timeouts >= 0)
);

-- The seed's two indexes: a tenant's recent windows, and one series' recent windows.
CREATE INDEX idx_llm_metrics_tenant_time
    ON llm_metrics (tenant_id, window_start DESC);

CREATE INDEX idx_llm_metrics_composite
    ON llm_metrics (tenant_id, route, model, window_start DESC);
