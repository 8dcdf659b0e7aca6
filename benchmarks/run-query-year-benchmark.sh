#!/usr/bin/env bash
# The query calls on a day of rows (the query benchmark's 1,000 series × 1 day, 1.44 million minute
# rows) and on a year (100 series × 365 days, 52.6 million minute rows, 876,000 hourly rows) in the
# same run: do the seed call and the rollups keep their speed as the partitioned tables grow?
# Retention is off for the run (a year of minute rows is what it measures). Needs ~40 GB of disk
# and ~30 minutes to load the year on 2 cores. Usage: [CONNECTIONS=8] benchmarks/run-query-year-benchmark.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30s}"
connections="${CONNECTIONS:-8}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
./mvnw -q -B -pl embedded-infra,query-service,benchmarks -am package -DskipTests
./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-query-year.XXXX)
pg_port=25433
http_port=18083
day=$(date -u -d 'yesterday' +%Y-%m-%dT00:00:00Z)
java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port 0 --postgres-port $pg_port > "$work/infra.log" 2>&1 &
infra=$!
query=""
trap 'kill $query $infra 2>/dev/null || true; wait $query $infra 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q ready "$work/infra.log" && break; sleep 1; done
jdbc="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
url="http://127.0.0.1:$http_port"
week_from=$(date -u -d "$day - 6 days" +%Y-%m-%dT%H:%M:%SZ)
month_from=$(date -u -d "$day - 29 days" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "$day + 1 day" +%Y-%m-%dT%H:%M:%SZ)

summary() { grep -E 'Requests/sec|^ +(50|99)%|Non-2xx' | tr -s ' ' | tr '\n' ' '; echo; }

measure() {  # $1: label
  HTTP_PORT=$http_port STREAMLENS_JDBC_URL="$jdbc" STREAMLENS_RETENTION_MINUTES=0 STREAMLENS_RETENTION_HOURLY=0 \
    STREAMLENS_ALERTS_KAFKA=false java -Xmx1g -jar query-service/target/quarkus-app/quarkus-run.jar > "$work/query.log" 2>&1 &
  query=$!
  for _ in $(seq 1 120); do curl -fs "$url/health" >/dev/null 2>&1 && break; sleep 1; done
  wrk -t2 -c16 -d10s -s benchmarks/query/seed.lua "$url" >/dev/null
  FROM=$week_from TO=$to wrk -t2 -c16 -d10s -s benchmarks/query/rollup.lua "$url" >/dev/null
  echo "$1 /health: $(wrk -t2 -c"$connections" -d"$duration" --latency "$url/health" | summary)"
  echo "$1 seed call: $(wrk -t2 -c"$connections" -d"$duration" --latency -s benchmarks/query/seed.lua "$url" | summary)"
  echo "$1 1h rollup, 7 days: $(FROM=$week_from TO=$to wrk -t2 -c"$connections" -d"$duration" --latency -s benchmarks/query/rollup.lua "$url" | summary)"
  echo "$1 cost per model per day, 30 days: $(FROM=$month_from TO=$to wrk -t2 -c"$connections" -d"$duration" --latency -s benchmarks/query/cost-by-model.lua "$url" | summary)"
  kill $query; wait $query 2>/dev/null || true; query=""
}

cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
echo "== a day: 1,000 series × 1 day"
java -cp "$cp" dev.streamlens.bench.QueryBenchmarkData "$jdbc" "$day" 1000 1
measure "day"
echo "== a year: 100 series × 365 days"
java -cp "$cp" dev.streamlens.bench.QueryBenchmarkData "$jdbc" "$day" 100 365
measure "year"
