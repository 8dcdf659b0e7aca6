#!/usr/bin/env bash
# What writing window rows costs PostgreSQL: the previous at-least-once upserts against this round's
# checkpoint committer (minute rows + hours recomputed from them), same rows, same run.
# Usage: benchmarks/run-postgres-write-benchmark.sh [series, default 1000] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
build embedded-infra,benchmarks
pg_port=25433
start_infra 0 $pg_port
java -cp "$bench_cp" dev.streamlens.bench.PostgresWriteBenchmark "jdbc:postgresql://127.0.0.1:$pg_port/postgres" "$@" \
  | tee "$work/postgres-write.txt"
# The last round (the warmest): "round N: upsert 20,092 rows/s | upsert + hour row per minute 7,179 rows/s | committer 4,454 rows/s ..."
last=$(grep '^round' "$work/postgres-write.txt" | tail -1 | tr -d ,)
# The committer's baseline is the write it replaced (issue 12), which also derived the hours.
record postgres-write "plain upserts" "$(echo "$last" | awk '{ print $4 }')" rows/s
record postgres-write "previous write, upsert + hour row per minute" \
  "$(echo "$last" | sed -E 's/.*hour row per minute ([0-9]+) rows.*/\1/')" rows/s "plain upserts"
record postgres-write "checkpoint committer" "$(echo "$last" | sed -E 's/.*committer ([0-9]+) rows.*/\1/')" rows/s \
  "previous write, upsert + hour row per minute"
