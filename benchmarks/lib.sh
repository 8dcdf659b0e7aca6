# Shared by the benchmark scripts (sourced; the caller has cd'ed to the repository root).
#   build MODULES                   package MODULES and what they need (-am), so a fresh clone works;
#                                   SL_BENCH_SKIP_BUILD=1 skips it (run-all.sh and the smoke test build once)
#   start_infra KAFKA_PORT PG_PORT  the embedded Kafka broker and/or PostgreSQL (0: without it), ready
#   start_service MODULE PORT [KEY=VALUE ...]   a service's quarkus-app (replacing one started before), healthy
#   start_app APP_DIR PORT [KEY=VALUE ...]       the same for any quarkus-app directory (another build)
#   wrk_run ARGS...                 wrk with --latency; prints its output, sets WRK_RATE, WRK_P50_MS, WRK_P99_MS
#   record BENCH FIGURE VALUE UNIT [BASELINE_FIGURE]   a figure for $SL_RESULTS_FILE (run-all.sh), and a line
#   warmup DEFAULT                  the warm-up duration: $SL_WARMUP, else DEFAULT
# Everything started is stopped, and the work directory $work removed, when the script exits.

work=$(mktemp -d /tmp/sl-bench.XXXX)
sl_infra=""
sl_service=""
sl_cleanup() {
  for pid in $sl_service $sl_infra; do kill "$pid" 2>/dev/null || true; done
  for pid in $sl_service $sl_infra; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap sl_cleanup EXIT

bench_cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath 2>/dev/null || true)"

build() {
  if [ "${SL_BENCH_SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -pl "$1" -am package -DskipTests
  fi
  bench_cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath 2>/dev/null || true)"
}

require_wrk() {
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
}

start_infra() {
  java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" \
    dev.streamlens.infra.StandaloneInfra --data-dir "$work/infra" --kafka-port "$1" --postgres-port "$2" \
    > "$work/infra.log" 2>&1 &
  sl_infra=$!
  for _ in $(seq 1 120); do grep -q ready "$work/infra.log" && return 0; sleep 1; done
  cat "$work/infra.log" >&2
  echo "the embedded servers did not start" >&2
  exit 1
}

start_service() {
  local module=$1
  shift
  start_app "$module/target/quarkus-app" "$@"
}

start_app() {
  local app=$1 port=$2 log="$work/app-$2.log"
  shift 2
  if [ -n "$sl_service" ]; then kill "$sl_service"; wait "$sl_service" 2>/dev/null || true; fi
  # OTLP/gRPC on a port of the benchmarks' own range, never 4317 (a stack the user runs may hold it)
  env OTLP_GRPC_PORT="${SL_OTLP_GRPC_PORT:-18099}" "$@" HTTP_PORT="$port" java -Xmx1g -jar "$app/quarkus-run.jar" > "$log" 2>&1 &
  sl_service=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0; sleep 1; done
  tail -30 "$log" >&2
  echo "$app did not become healthy" >&2
  exit 1
}

warmup() {
  echo "${SL_WARMUP:-$1}"
}

# The runs of an ABBA comparison of sides $1 and $2: A B B A, so the machine's drift cancels out;
# with SL_ABBA_ONCE=1 (the smoke run, which only shows that the script works) A B.
abba_order() {
  if [ "${SL_ABBA_ONCE:-0}" = 1 ]; then echo "$1 $2"; else echo "$1 $2 $2 $1"; fi
}

# A side's mean over its runs in abba_order: $1 the sum of its figures.
abba_mean() {
  awk -v t="$1" -v n="$([ "${SL_ABBA_ONCE:-0}" = 1 ] && echo 1 || echo 2)" 'BEGIN { printf "%.1f", t / n }'
}

# wrk's latency figures come as 1.23ms / 45.6us / 1.2s: milliseconds.
sl_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

wrk_run() {
  local out
  out=$(wrk "$@" --latency)
  echo "$out"
  WRK_RATE=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  WRK_P50_MS=$(sl_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  WRK_P99_MS=$(sl_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  if echo "$out" | grep -q "Non-2xx"; then
    echo "wrk saw answers other than 2xx: the figure would not measure the call" >&2
    exit 1
  fi
}

record() {
  printf 'result: %s | %s = %s %s%s\n' "$1" "$2" "$3" "$4" "${5:+ (baseline: $5)}"
  if [ -n "${SL_RESULTS_FILE:-}" ]; then
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >> "$SL_RESULTS_FILE"
  fi
}
