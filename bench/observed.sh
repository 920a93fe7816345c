#!/usr/bin/env bash
# What metrics and tracing cost: task.get per protocol against a plain server, one with IpcMetrics and
# IpcTracing (sampler off), and one with the sampler always on, as ratios to plain over alternating rounds.
# Usage: bench/observed.sh [seconds-per-case, default 2] [concurrent calls, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/classpath.sh
classpath=$(bench_classpath examples)
java -cp "$classpath" dev.ipc.examples.bench.ObservedBenchmark "${1:-2}" "${2:-16}"
