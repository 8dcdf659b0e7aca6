#!/usr/bin/env bash
# Throughput of the Flink job (JMH) beside its keyed ceiling, and the size of its state; see
# docs/BENCHMARKS.md. Each invocation is one bounded job over 2 million generated events (-p pairs=N
# for 2N; the figure is the events counted per second, so it holds at any size).
# Usage: [JOB_PLAN="backend:benchmarks ..."] benchmarks/run-job-benchmark.sh [JMH options]
#   default plan: keyedPairing, pipeline and pipelineWithAlerts (1,000 alert rules) on RocksDB; keyedPairing,
#   pipeline and the Flink SQL peer
#   (without PERCENTILE) on the heap. JMH options e.g. -wi 0 -i 1 for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
build benchmarks
java -cp "$bench_cp" dev.streamlens.bench.StateSizeReport
jmh() {  # $1: benchmarks (regex), $2: state backend, then JMH options
  local pattern=$1 backend=$2
  shift 2
  java -cp "$bench_cp" org.openjdk.jmh.Main "JobThroughputBenchmark.($pattern)\$" -p stateBackend="$backend" \
    -rf csv -rff "$work/jmh-$backend.csv" "$@"
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: pairs",...
  # Each benchmark has two rows: invocations per second, then "<benchmark>:events", events per second.
  while IFS=, read -r name _ _ _ score _; do
    name=${name//\"/}; name=${name##*.}
    [[ "$name" == *:events ]] || continue
    name=${name%:events}
    local baseline=""
    [ "$name" != keyedPairing ] && baseline="keyedPairing, $backend"
    record job "$name, $backend" "$(printf '%.0f' "$score")" events/s "$baseline"
  done < "$work/jmh-$backend.csv"
}
for step in ${JOB_PLAN:-rocksdb:keyedPairing|pipeline|pipelineWithAlerts hashmap:keyedPairing|pipeline|sqlPeerWithoutPercentile}; do
  jmh "${step#*:}" "${step%%:*}" "$@"
done
