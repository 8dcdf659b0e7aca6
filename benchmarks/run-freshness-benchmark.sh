#!/usr/bin/env bash
# How fresh the query API is on a running stack (./streamlens up): the delay from a window's end
# to its row in GET /v1/metrics under steady load at each rate, and for the last window once the
# traffic stops. 10 s windows; the out-of-orderness (5 s) and checkpoint interval (10 s) keep their
# defaults, so the expected delay is at most 5 s + 10 s + about 2 s.
# Usage: benchmarks/run-freshness-benchmark.sh [seconds per phase, default 90] [events/s ..., default 1000 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
seconds="${1:-90}"
shift || true
rates="${*:-1000 10000}"
if [ "${SL_BENCH_SKIP_BUILD:-0}" != 1 ]; then ./mvnw -q -B package -DskipTests; fi
bench_cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
export STREAMLENS_HOME="$work/home" STREAMLENS_WINDOW=10s STREAMLENS_INGEST_PORT=18090 STREAMLENS_QUERY_PORT=18091 \
  STREAMLENS_FLINK_UI_PORT=18092 STREAMLENS_KAFKA_PORT=18093 STREAMLENS_POSTGRES_PORT=18094 STREAMLENS_OTLP_GRPC_PORT=18095 \
  STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0   # one tenant carries the whole load here
mkdir -p "$STREAMLENS_HOME"
./streamlens up > "$work/up.log" 2>&1 &
sl_service=$!   # stopped (and with it the whole stack) when the script exits
for _ in $(seq 1 240); do grep -q "StreamLens is up" "$work/up.log" && break; sleep 1; done
grep -q "StreamLens is up" "$work/up.log" || { cat "$work/up.log"; exit 1; }
java -cp "$bench_cp" dev.streamlens.bench.FreshnessBenchmark \
  http://127.0.0.1:18090 http://127.0.0.1:18091 10 "$seconds" $rates | tee "$work/freshness.txt"
# "freshness 1000 events/s (998 sent/s): windows under load 5, delay window end -> query API median 11600 ms, max ..."
# "... max 14200 ms; last window after traffic stopped: 13400 ms" (or "not seen within 60 s": no figure)
while read -r line; do
  rate=$(echo "$line" | awk '{ print $2 }')
  record freshness "median delay at $rate events/s" "$(echo "$line" | sed -E 's/.*median ([0-9-]+) ms.*/\1/')" ms
  if [[ $line =~ stopped:\ ([0-9-]+)\ ms ]]; then
    record freshness "last window's delay after traffic stopped, $rate events/s" "${BASH_REMATCH[1]}" ms
  fi
done < <(grep '^freshness' "$work/freshness.txt")
