#!/usr/bin/env bash
# One table for all four protocols: the same Dating and Task calls through each protocol's Java client,
# then Library.get through the derived model against a hand-written descriptor, as a ratio per protocol.
# Usage: bench/protocols.sh [seconds-per-case, default 3] [concurrent calls, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/classpath.sh
classpath=$(bench_classpath examples)
java -cp "$classpath" dev.ipc.examples.bench.ProtocolBenchmark "${1:-3}" "${2:-16}"
