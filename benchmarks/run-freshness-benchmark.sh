#!/usr/bin/env bash
# How fresh the query API is on a running stack (./streamlens up): the delay from a window's end
# to its row in GET /v1/metrics under steady load at each rate, and for the last window once the
# traffic stops. 10 s windows; the out-of-orderness (5 s) and checkpoint interval (10 s) keep their
# defaults, so the expected delay is at most 5 s + 10 s + about 2 s.
# Usage: benchmarks/run-freshness-benchmark.sh [seconds per phase, default 90] [events/s ..., default 1000 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-90}"
shift || true
rates="${*:-1000 10000}"
./mvnw -q -B package -DskipTests
home=$(mktemp -d /tmp/sl-freshness.XXXX)
export STREAMLENS_HOME="$home" STREAMLENS_WINDOW=10s STREAMLENS_INGEST_PORT=18090 STREAMLENS_QUERY_PORT=18091 \
  STREAMLENS_FLINK_UI_PORT=18092 STREAMLENS_KAFKA_PORT=18093 STREAMLENS_POSTGRES_PORT=18094 \
  STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0   # one tenant carries the whole load here
./streamlens up > "$home/up.log" 2>&1 &
stack=$!
trap 'kill $stack 2>/dev/null || true; wait $stack 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 1 240); do grep -q "StreamLens is up" "$home/up.log" && break; sleep 1; done
grep -q "StreamLens is up" "$home/up.log" || { cat "$home/up.log"; exit 1; }
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)" dev.streamlens.bench.FreshnessBenchmark \
  http://127.0.0.1:18090 http://127.0.0.1:18091 10 "$seconds" $rates
