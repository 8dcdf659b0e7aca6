-- Prices changed while running (docs/PRICING.md#changing-prices-while-running): every published
-- price version, numbered as published, and on every metrics row the version its calls were
-- priced as of (0: none published then; rows written before hold 0). An hour keeps the highest of
-- its minutes'.
CREATE TABLE price_versions (
    version        BIGSERIAL PRIMARY KEY,
    effective_from TIMESTAMPTZ NOT NULL,
    source         TEXT NOT NULL,
    entries        JSONB NOT NULL,
    published_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE llm_metrics
    ADD COLUMN price_version BIGINT NOT NULL DEFAULT 0;

ALTER TABLE llm_metrics_hourly
    ADD COLUMN price_version BIGINT NOT NULL DEFAULT 0;
