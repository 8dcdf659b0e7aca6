#!/usr/bin/env bash
# How many LLM calls per second this machine takes end to end, and the same for the peer a user
# would build instead (issue 34). First `./streamlens up` with its defaults (1-minute windows), then
# the SQL-only peer (SqlOnlyPeer: every call a PostgreSQL row, the figures computed by SQL when
# asked) on an embedded PostgreSQL, each given the same calls at the same stepped rates by
# CapacityBenchmark (20 tenants x 20 routes x 10 models; NDJSON batches, OTLP/JSON exports and single
# events; errors, timeouts, duplicate deliveries), each step long enough for the job's lag to settle.
# Per step: calls/s sent and acknowledged, the p99 answer time of ingest and of the query polled
# twice a second, the job's event-time lag, each window's freshness (end -> the largest tenant's rows
# show all its calls), the CPU of every process, and whether two sampled tenants' rows equal an exact
# computation. The capacity is the highest step where all of that held, with freshness within
# out-of-orderness + idle timeout + checkpoint interval + 5 s. PNGs of both curves and the step lines
# go to $SL_RESULTS_DIR (default benchmarks/results) as capacity-<UTC time>-*.
# Usage: benchmarks/run-capacity.sh [seconds per step, default 180] [calls/s ..., default 2500 5000 10000 20000 30000 40000]
#        benchmarks/run-capacity.sh --smoke   (5-s windows, short timeouts, 15-s steps at 200 and 400 calls/s)
# Environment: SL_CAPACITY_SYSTEMS="streamlens peer" (the default; either alone to run one).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
if [ $smoke = 1 ]; then
  export STREAMLENS_WINDOW=5s STREAMLENS_JOIN_TIMEOUT=10s STREAMLENS_OUT_OF_ORDERNESS=2s \
    STREAMLENS_IDLE_TIMEOUT=2s STREAMLENS_CHECKPOINT_INTERVAL=2s
  window=5 join_timeout=10 bound=$((2 + 2 + 2 + 5)) seconds=15 rates="200 400"
else
  window=60 join_timeout=300 bound=$((5 + 10 + 10 + 5))   # the defaults: 5 s + 10 s + 10 s + 5 s
  seconds="${1:-180}"
  shift || true
  rates="${*:-2500 5000 10000 20000 30000 40000}"
fi
systems="${SL_CAPACITY_SYSTEMS:-streamlens peer}"
results_dir="${SL_RESULTS_DIR:-benchmarks/results}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results_dir"
if [ "${SL_BENCH_SKIP_BUILD:-0}" != 1 ]; then ./mvnw -q -B package -DskipTests; fi   # the whole stack
bench_cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"

# curve SYSTEM INGEST_URL QUERY_URL FLINK_URL HOME: the stepped calls against one system; its lines
# and PNG into the results directory.
# On two cores the JDK's CompletableFuture pool is a new thread per task, and the HTTP client completes
# every answer through it: ~190 threads started a second at 7,500 calls/s (JFR). A common pool of two
# threads instead.
curve() {
  java -Xmx3g -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 \
    -cp "$bench_cp" dev.streamlens.bench.capacity.CapacityBenchmark "$2" "$3" "$4" "$5" \
    "$window" "$seconds" "$join_timeout" "$bound" "$work" "$1" $rates | tee "$work/$1.txt"
  cp "$work/capacity-$1.png" "$results_dir/capacity-$stamp-$1.png"
  grep -E '^(capacity|[0-9]+ differences)' "$work/$1.txt" > "$results_dir/capacity-$stamp-$1.txt"
}

if [[ " $systems " == *" streamlens "* ]]; then
  export STREAMLENS_HOME="$work/home" STREAMLENS_INGEST_PORT=18190 STREAMLENS_QUERY_PORT=18191 \
    STREAMLENS_FLINK_UI_PORT=18192 STREAMLENS_KAFKA_PORT=18193 STREAMLENS_POSTGRES_PORT=18194 STREAMLENS_OTLP_GRPC_PORT=18195 \
    STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0   # the largest tenant alone sends 14 % of the load
  mkdir -p "$STREAMLENS_HOME"
  ./streamlens up > "$work/up.log" 2>&1 &
  sl_service=$!
  for _ in $(seq 1 240); do grep -q "StreamLens is up" "$work/up.log" && break; sleep 1; done
  grep -q "StreamLens is up" "$work/up.log" || { cat "$work/up.log"; exit 1; }
  curve streamlens http://127.0.0.1:18190 http://127.0.0.1:18191 http://127.0.0.1:18192 "$STREAMLENS_HOME"
  kill "$sl_service"; wait "$sl_service" 2>/dev/null || true   # the whole stack stops with it
  sl_service=""
fi

if [[ " $systems " == *" peer "* ]]; then
  start_infra 0 18196   # PostgreSQL alone, as the stack runs it
  peer_home="$work/peer-home"
  mkdir -p "$peer_home/run"
  ln -s "$work/infra/postgres" "$peer_home/postgres"   # where ProcessCpu finds postmaster.pid
  java -Xmx1g -cp "$bench_cp" dev.streamlens.bench.peer.SqlOnlyPeer 18197 jdbc:postgresql://127.0.0.1:18196/postgres \
    "$window" "$join_timeout" event-model/src/main/resources/pricing/default-prices.json > "$work/peer.log" 2>&1 &
  sl_service=$!
  for _ in $(seq 1 60); do curl -fs http://127.0.0.1:18197/health >/dev/null 2>&1 && break; sleep 1; done
  echo "peer_service $sl_service 0" > "$peer_home/run/pids"
  curve peer http://127.0.0.1:18197 http://127.0.0.1:18197 - "$peer_home"
fi

# "capacity step 200 calls/s: sent 199 calls/s, acknowledged 198 calls/s, ... exact yes, cpu ..."
# "capacity 20000 calls/s (freshness bound 30000 ms); plot ..."
figures() {
  local system=$1 prefix=$2 exact_steps=0 line rate max
  while read -r line; do
    rate=$(echo "$line" | awk '{ print $3 }')
    record capacity "${prefix}acknowledged calls/s at $rate calls/s" "$(echo "$line" | sed -E 's/.*acknowledged ([0-9]+) calls.*/\1/')" calls/s
    max=$(echo "$line" | sed -E 's/.*freshness min [0-9-]+ ms max ([0-9-]+) ms.*/\1/')
    if [ "$max" -gt 0 ]; then record capacity "${prefix}slowest window's freshness at $rate calls/s" "$max" ms; fi
    if [[ $line == *"exact yes"* ]]; then exact_steps=$((exact_steps + 1)); fi
    # "cpu Kafka=21% Flink-job=57% ... load-generator=26% PostgreSQL=3%": the stack is all but the generator
    record capacity "${prefix}stack CPU at $rate calls/s" "$(echo "${line##*, cpu }" | tr ' ' '\n' \
      | awk -F'[=%]' '$1 != "load-generator" { sum += $2 } END { print sum }')" "% of a core"
    if [[ $line == *"Flink-job="* ]]; then
      record capacity "${prefix}job CPU at $rate calls/s" "$(echo "$line" | sed -E 's/.*Flink-job=([0-9]+)%.*/\1/')" "% of a core"
    fi
  done < <(grep '^capacity step' "$work/$system.txt")
  if [ $exact_steps -gt 0 ]; then record capacity "${prefix}steps whose sampled rows were exact" $exact_steps steps; fi
  CAPACITY=$(sed -nE 's/^capacity ([0-9]+) calls\/s.*/\1/p' "$work/$system.txt")
}
peer_capacity=0
if [ -f "$work/peer.txt" ]; then
  figures peer "peer: "
  peer_capacity=${CAPACITY:-0}
  if [ "$peer_capacity" -gt 0 ]; then record capacity "peer capacity" "$peer_capacity" calls/s; fi
fi
if [ -f "$work/streamlens.txt" ]; then
  figures streamlens ""
  if [ "${CAPACITY:-0}" -gt 0 ]; then
    record capacity "capacity" "$CAPACITY" calls/s "$([ "$peer_capacity" -gt 0 ] && echo "peer capacity")"
  else
    echo "no step of StreamLens was within capacity: see $results_dir/capacity-$stamp-streamlens.txt" >&2
  fi
fi
echo "results: $results_dir/capacity-$stamp-*"
