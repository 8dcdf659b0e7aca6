#!/usr/bin/env bash
# Throughput of the Flink job (JMH) and the size of its state; see docs/BENCHMARKS.md.
# Usage: benchmarks/run-job-benchmark.sh [JMH options, e.g. -p stateBackend=rocksdb]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
java -cp "$cp" dev.streamlens.bench.StateSizeReport
java -cp "$cp" org.openjdk.jmh.Main JobThroughputBenchmark -rf text -rff benchmarks/target/job-throughput.txt "$@"
