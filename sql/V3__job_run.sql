-- Which run of the Flink job wrote a row: the id of the job that started without state (kept
-- across restores from its checkpoints). A run never replaces a row another run wrote: a job
-- started without state only knows the part of a window it read itself (SPEC rule 8). Rows
-- written before this column existed have NULL and are replaced by revision, as before.
ALTER TABLE llm_metrics ADD COLUMN job_run VARCHAR(64);
ALTER TABLE llm_metrics_hourly ADD COLUMN job_run VARCHAR(64);

COMMENT ON COLUMN llm_metrics_hourly.revision IS '+1 each time the hour is recomputed from its minute rows';
