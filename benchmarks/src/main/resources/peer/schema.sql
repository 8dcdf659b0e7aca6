-- The peer a user would build instead of StreamLens: every call one row, its request and response
-- halves merged by an upsert on the request id, and the per-minute figures computed by SQL when
-- they are asked for.
DROP TABLE IF EXISTS llm_calls;
CREATE TABLE llm_calls (
    request_id        text PRIMARY KEY,
    tenant_id         text,
    route             text,
    model             text,
    request_ts        timestamptz,
    prompt_tokens     bigint,
    user_id           text,
    response_ts       timestamptz,
    latency_ms        double precision,
    completion_tokens bigint,
    failed            boolean
);
-- the query reads one tenant's answered calls by time, and its unanswered ones by request time
CREATE INDEX llm_calls_answered ON llm_calls (tenant_id, response_ts);
CREATE INDEX llm_calls_unanswered ON llm_calls (tenant_id, request_ts) WHERE response_ts IS NULL;

DROP TABLE IF EXISTS model_prices;
CREATE TABLE model_prices (
    model              text PRIMARY KEY,
    input_per_million  numeric NOT NULL,
    output_per_million numeric NOT NULL
);
