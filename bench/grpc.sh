#!/usr/bin/env bash
# Unary Eating through ipc-grpc vs a hand-written grpc-java service (generated stubs), same JVM,
# same client, same run: calls/s, p50, p99 and ratios at 1 and 64 concurrent calls (~50 s + build).
# Options: -Dbench.rounds=N (alternating rounds, default 3), -Dbench.seconds=N (per round, default 2),
# -Dbench.warmup=N (seconds per side, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/classpath.sh
classpath=$(bench_classpath ipc-grpc)
exec java "$@" -cp "$classpath" dev.ipc.grpc.bench.GrpcBench
