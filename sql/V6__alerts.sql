-- Alert rules and alerts (docs/ALERTS.md).
--
-- alert_rules is where the REST API keeps rules durably; the job reads them from the compacted
-- topic llm.alert-rules, which the query service fills from this table (an outbox: a rule whose
-- version is newer than published_version is sent again until Kafka acknowledges it). A deleted
-- rule stays as a row with deleted = true: its tombstone must be published, and its webhook still
-- receives the "resolved" its deletion causes.
CREATE TABLE alert_rules (
    rule_id           TEXT         PRIMARY KEY,
    tenant_id         TEXT         NOT NULL,
    rule              JSONB        NOT NULL,
    version           BIGINT       NOT NULL,
    deleted           BOOLEAN      NOT NULL DEFAULT false,
    published_version BIGINT       NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_by_tenant ON alert_rules (tenant_id, rule_id) WHERE NOT deleted;
CREATE INDEX alert_rules_unpublished ON alert_rules (rule_id) WHERE version > published_version;

-- Every transition of an alert (firing, resolved), once: the job writes each exactly once to
-- llm.alerts and the service stores it keyed by its idempotency key, so a redelivered record
-- changes nothing. Each row also carries its webhook delivery.
CREATE TABLE alerts (
    id                BIGSERIAL    PRIMARY KEY,
    idempotency_key   TEXT         NOT NULL UNIQUE,
    alert_id          TEXT         NOT NULL,
    rule_id           VARCHAR(64)  NOT NULL,
    tenant_id         TEXT         NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    episode           BIGINT       NOT NULL,
    fired_at          TIMESTAMPTZ  NOT NULL,
    window_start      TIMESTAMPTZ  NOT NULL,
    window_end        TIMESTAMPTZ  NOT NULL,
    transition        JSONB        NOT NULL,
    received_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
    -- Delivery: none (no webhook), pending, retrying, delivered, failed (gave up or refused).
    webhook_url       TEXT,
    webhook_format    VARCHAR(16),
    delivery_status   VARCHAR(16)  NOT NULL,
    delivery_attempts INT          NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ,
    last_error        TEXT,
    delivered_at      TIMESTAMPTZ
);
CREATE INDEX alerts_by_tenant ON alerts (tenant_id, window_end DESC, id DESC);
CREATE INDEX alerts_by_alert ON alerts (alert_id, id DESC);
CREATE INDEX alerts_due ON alerts (next_attempt_at) WHERE delivery_status IN ('pending', 'retrying');
