#!/usr/bin/env bash
# ABBA: API keys off / on / on / off, single events only, to see whether the keys' cost is real or
# the machine's drift. Usage: benchmarks/run-ingest-keys-abba.sh [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
seconds="${1:-15}"
require_wrk
build embedded-infra,ingest-service
kafka_port=29095; http_port=18083; url="http://127.0.0.1:$http_port"
start_infra $kafka_port 0
key="bench-key-123"; hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
printf '{"keys": [{"tenant_id": "acme", "sha256": "%s"}]}' "$hash" > "$work/keys.json"
declare -A total=([off]=0 [on]=0)
for mode in $(abba_order off on); do
  if [ $mode = on ]; then
    start_service ingest-service $http_port KAFKA_BROKERS=127.0.0.1:$kafka_port STREAMLENS_AUTH=api-key \
      STREAMLENS_API_KEYS_FILE="$work/keys.json"
    export STREAMLENS_BENCH_KEY=$key
  else
    start_service ingest-service $http_port KAFKA_BROKERS=127.0.0.1:$kafka_port
    export STREAMLENS_BENCH_KEY=""
  fi
  wrk -t2 -c64 -d"$(warmup 8s)" -s benchmarks/ingest/single-request.lua "$url" >/dev/null
  wrk_run -t2 -c64 -d"${seconds}s" -s benchmarks/ingest/single-request.lua "$url" > "$work/wrk.txt"
  echo "keys $mode: $WRK_RATE events/s, p99 $WRK_P99_MS ms"
  total[$mode]=$(awk -v a="${total[$mode]}" -v b="$WRK_RATE" 'BEGIN { print a + b }')
done
# Each side's two runs averaged: the drift of the machine over the four runs cancels out.
record ingest-keys-abba "single events, keys off" "$(abba_mean "${total[off]}")" events/s
record ingest-keys-abba "single events, keys on" "$(abba_mean "${total[on]}")" events/s \
  "single events, keys off"
