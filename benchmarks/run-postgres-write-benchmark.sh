#!/usr/bin/env bash
# What writing window rows costs PostgreSQL: the previous at-least-once upserts against this round's
# checkpoint committer (minute rows + hours recomputed from them), same rows, same run.
# Usage: benchmarks/run-postgres-write-benchmark.sh [series] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl embedded-infra,benchmarks -am install -DskipTests
./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-pg-write-bench.XXXX)
pg_port=25433
java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port 0 --postgres-port $pg_port > "$work/infra.log" 2>&1 &
infra=$!
trap 'kill $infra 2>/dev/null || true; wait $infra 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q ready "$work/infra.log" && break; sleep 1; done
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)" dev.streamlens.bench.PostgresWriteBenchmark \
  "jdbc:postgresql://127.0.0.1:$pg_port/postgres" "$@"
