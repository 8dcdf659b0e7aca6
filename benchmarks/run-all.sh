#!/usr/bin/env bash
# Every benchmark that needs no extra input, in one run: the job (JMH), ingest, OTLP, query, the
# PostgreSQL write path, the dashboard in headless Chromium, freshness and the end-to-end capacity
# curve on `./streamlens up`. Each
# figure is recorded with its baseline from the same run; the result goes to
# benchmarks/results/<UTC time>-<commit>.json (machine, commit, figures, ratios), and a table
# compares it with the previous result kept there.
# Usage: benchmarks/run-all.sh [duration per measured call, default 20s]
#        benchmarks/run-all.sh --smoke   (tiny sizes, seconds per benchmark: does every script still work?
#                                         the query script also with a tiny YEAR=1, and the two ABBA
#                                         comparisons as A B only, which the full run leaves to whoever
#                                         compares)
# Needs wrk, h2load (nghttp2-client), and chromium with chromium-driver for the dashboard (the full run skips it, saying so,
# without them; the smoke run fails).
# Environment: SL_RESULTS_DIR (default benchmarks/results), SL_BENCH_SKIP_BUILD=1 (already built).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
duration="${1:-20s}"
results_dir="${SL_RESULTS_DIR:-benchmarks/results}"
if [ "${SL_BENCH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -q -B package -DskipTests   # every module: freshness runs the whole stack
fi
export SL_BENCH_SKIP_BUILD=1
SL_RESULTS_FILE=$(mktemp /tmp/sl-results.XXXX)
export SL_RESULTS_FILE
trap 'rm -f "$SL_RESULTS_FILE"' EXIT

# Runs one benchmark script and says how long it took (the smoke run's time is mostly set-up).
timed() {
  local started=$SECONDS
  "$@"
  echo "== $(basename "$1") took $((SECONDS - started)) s" >&2
}

if [ $smoke = 1 ]; then
  export SL_WARMUP=1s SL_ABBA_ONCE=1
  JOB_PLAN="hashmap:keyedPairing|pipeline|pipelineWithAlerts" timed benchmarks/run-job-benchmark.sh -f 1 -wi 0 -i 1 -r 1s -p pairs=20000
  timed benchmarks/run-ingest-benchmark.sh 1s
  timed benchmarks/run-otlp-benchmark.sh 1s
  timed benchmarks/run-otlp-grpc-benchmark.sh 3   # a cold service on busy cores may finish no 512-span export in 1 s
  SERIES=10 YEAR=1 YEAR_SERIES=2 YEAR_DAYS=40 timed benchmarks/run-query-benchmark.sh 1s
  timed benchmarks/run-postgres-write-benchmark.sh 10 1
  RANGES=24h DAYS=2 timed benchmarks/run-dashboard-benchmark.sh 1
  timed benchmarks/run-freshness-benchmark.sh 20 200
  timed benchmarks/run-capacity.sh --smoke
  timed benchmarks/run-ingest-keys-abba.sh 1
  timed benchmarks/run-attribution-accuracy.sh 20000
  app=ingest-service/target/quarkus-app
  timed benchmarks/run-ingest-before-after.sh $app $app 1   # the same build on both sides

else
  timed benchmarks/run-job-benchmark.sh
  timed benchmarks/run-ingest-benchmark.sh "$duration"
  timed benchmarks/run-otlp-benchmark.sh "$duration"
  timed benchmarks/run-otlp-grpc-benchmark.sh "${duration%s}"
  timed benchmarks/run-query-benchmark.sh "$duration"
  timed benchmarks/run-postgres-write-benchmark.sh
  if command -v chromedriver >/dev/null; then
    timed benchmarks/run-dashboard-benchmark.sh
  else
    echo "dashboard benchmark skipped: apt-get install chromium chromium-driver" >&2
  fi
  timed benchmarks/run-freshness-benchmark.sh
  timed benchmarks/run-capacity.sh
  timed benchmarks/run-attribution-accuracy.sh
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-modified"; fi
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)" dev.streamlens.bench.BenchmarkResults \
  "$SL_RESULTS_FILE" "$results_dir" "$commit"
