-- Minute and hourly rows in natively partitioned tables, by range of window_start (UTC):
-- llm_metrics by day, llm_metrics_hourly by month. Expiring old rows is then dropping a
-- partition (no vacuum debt), and a query over a time range reads only its partitions.
-- Each table keeps a DEFAULT partition, so a row for a range without its partition (an event
-- stamped long ago, a recompute of old data) is stored, never refused; creating that range's
-- partition later moves such rows into it. Partitions are created ahead of time and expired by
-- the query-service (PartitionMaintenance), through the functions below; docs/RETENTION.md.

-- Creates the partition <parent>_p<suffix> for [range_from, range_to) unless it exists, moving
-- rows of that range out of the default partition first (attaching would fail while they are there).
-- Returns whether it created the partition.
CREATE FUNCTION streamlens_ensure_partition(parent text, suffix text, range_from timestamptz, range_to timestamptz)
    RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    part text := parent || '_p' || suffix;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    -- The range as a constraint lets ATTACH skip scanning the new table.
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (window_start >= %L AND window_start < %L)',
                   part, part || '_range', range_from, range_to);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE window_start >= %L AND window_start < %L RETURNING *) '
                   || 'INSERT INTO %I SELECT * FROM moved', parent || '_default', range_from, range_to, part);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, range_from, range_to);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
    RETURN true;
END
$$;

-- Daily partitions of llm_metrics for the UTC days first_day..last_day; returns how many it created.
CREATE FUNCTION streamlens_ensure_minute_partitions(first_day date, last_day date)
    RETURNS integer
    LANGUAGE sql AS $$
    SELECT count(*)::integer FROM generate_series(first_day, last_day, interval '1 day') AS d
    WHERE streamlens_ensure_partition('llm_metrics', to_char(d, 'YYYYMMDD'),
                                      d::timestamp AT TIME ZONE 'UTC', (d + interval '1 day')::timestamp AT TIME ZONE 'UTC');
$$;

-- Monthly partitions of llm_metrics_hourly for the UTC months of first_day..last_day.
CREATE FUNCTION streamlens_ensure_hourly_partitions(first_day date, last_day date)
    RETURNS integer
    LANGUAGE sql AS $$
    SELECT count(*)::integer
    FROM generate_series(date_trunc('month', first_day::timestamp), last_day::timestamp, interval '1 month') AS m
    WHERE streamlens_ensure_partition('llm_metrics_hourly', to_char(m, 'YYYYMM'),
                                      m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
$$;

-- Drops every partition of parent whose range ends at or before cutoff, and deletes the default
-- partition's rows older than cutoff; returns how many partitions it dropped.
CREATE FUNCTION streamlens_expire_partitions(parent text, cutoff timestamptz)
    RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    part record;
    dropped integer := 0;
BEGIN
    FOR part IN
        SELECT c.relname AS name,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz AS range_to
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent::regclass   -- the default partition's bound is DEFAULT: no range_to
    LOOP
        IF part.range_to IS NOT NULL AND part.range_to <= cutoff THEN
            EXECUTE format('DROP TABLE %I', part.name);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    EXECUTE format('DELETE FROM %I WHERE window_start < %L', parent || '_default', cutoff);
    RETURN dropped;
END
$$;

-- Moves a table's rows into a new partitioned table of the same name, indexes and constraints.
CREATE FUNCTION streamlens_partition_table(name text, ensure_partitions text)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    old_name text := name || '_unpartitioned';
    before_count bigint;
    after_count bigint;
    first_day date;
    last_day date;
BEGIN
    EXECUTE format('ALTER TABLE %I RENAME TO %I', name, old_name);
    -- The id sequence must outlive the old table; the unique key's and indexes' names are taken over.
    EXECUTE format('ALTER SEQUENCE %I OWNED BY NONE', name || '_id_seq');
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', old_name, name || '_pkey');
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', old_name, name || '_window_key');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS) '
                   || 'PARTITION BY RANGE (window_start)', name, old_name);
    -- A partitioned table's keys must contain the partition column: window_start is in both.
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id, window_start)', name, name || '_pkey');
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (tenant_id, route, model, window_start)',
                   name, name || '_window_key');
    EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.id', name || '_id_seq', name);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', name || '_default', name);

    -- A partition for every day (month) that holds rows, and for the week ahead.
    EXECUTE format('SELECT min(window_start)::date, max(window_start)::date FROM %I', old_name) INTO first_day, last_day;
    IF first_day IS NOT NULL THEN
        EXECUTE format('SELECT %I(d::date, d::date) FROM (SELECT DISTINCT (window_start AT TIME ZONE ''UTC'')::date AS d FROM %I) days',
                       ensure_partitions, old_name);
    END IF;
    EXECUTE format('SELECT %I((now() AT TIME ZONE ''UTC'')::date, (now() AT TIME ZONE ''UTC'')::date + 7)', ensure_partitions);

    EXECUTE format('INSERT INTO %I SELECT * FROM %I', name, old_name);
    EXECUTE format('SELECT count(*) FROM %I', old_name) INTO before_count;
    EXECUTE format('SELECT count(*) FROM %I', name) INTO after_count;
    IF before_count <> after_count THEN
        RAISE EXCEPTION '% rows of % moved where % were there', after_count, name, before_count;
    END IF;
    EXECUTE format('DROP TABLE %I', old_name);
END
$$;

DROP INDEX idx_llm_metrics_tenant_time;
DROP INDEX idx_llm_metrics_composite;   -- the unique key's index serves the same lookups
DROP INDEX idx_llm_metrics_hourly_tenant_time;

SELECT streamlens_partition_table('llm_metrics', 'streamlens_ensure_minute_partitions');
SELECT streamlens_partition_table('llm_metrics_hourly', 'streamlens_ensure_hourly_partitions');
DROP FUNCTION streamlens_partition_table(text, text);

-- The seed's index: a tenant's recent windows (created on each partition, and on new ones).
CREATE INDEX idx_llm_metrics_tenant_time ON llm_metrics (tenant_id, window_start DESC);
CREATE INDEX idx_llm_metrics_hourly_tenant_time ON llm_metrics_hourly (tenant_id, window_start DESC);
