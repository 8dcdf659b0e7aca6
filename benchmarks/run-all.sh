#!/usr/bin/env bash
# Every benchmark that needs no extra input, in one run: the job (JMH), ingest, OTLP, query and the
# PostgreSQL write path. Each figure is recorded with its baseline from the same run; the result
# goes to benchmarks/results/<UTC time>-<commit>.json (machine, commit, figures, ratios), and a
# table compares it with the previous result kept there.
# Usage: benchmarks/run-all.sh [duration per measured call, default 20s]
#        benchmarks/run-all.sh --smoke   (tiny sizes, seconds per benchmark: do the scripts still work?
#                                         the query script also with a tiny YEAR=1)
# Environment: SL_RESULTS_DIR (default benchmarks/results), SL_BENCH_SKIP_BUILD=1 (already built).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
duration="${1:-20s}"
results_dir="${SL_RESULTS_DIR:-benchmarks/results}"
if [ "${SL_BENCH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -q -B -pl embedded-infra,ingest-service,query-service,benchmarks -am package -DskipTests
fi
export SL_BENCH_SKIP_BUILD=1
SL_RESULTS_FILE=$(mktemp /tmp/sl-results.XXXX)
export SL_RESULTS_FILE
trap 'rm -f "$SL_RESULTS_FILE"' EXIT

if [ $smoke = 1 ]; then
  export SL_WARMUP=1s
  JOB_PLAN="hashmap:keyedPairing|pipeline" benchmarks/run-job-benchmark.sh -f 1 -wi 0 -i 1 -r 1s
  benchmarks/run-ingest-benchmark.sh 1s
  benchmarks/run-otlp-benchmark.sh 1s
  SERIES=10 YEAR=1 YEAR_SERIES=2 YEAR_DAYS=40 benchmarks/run-query-benchmark.sh 1s
  benchmarks/run-postgres-write-benchmark.sh 10 1

else
  benchmarks/run-job-benchmark.sh
  benchmarks/run-ingest-benchmark.sh "$duration"
  benchmarks/run-otlp-benchmark.sh "$duration"
  benchmarks/run-query-benchmark.sh "$duration"
  benchmarks/run-postgres-write-benchmark.sh
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-modified"; fi
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)" dev.streamlens.bench.BenchmarkResults \
  "$SL_RESULTS_FILE" "$results_dir" "$commit"
