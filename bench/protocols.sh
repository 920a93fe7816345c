#!/usr/bin/env bash
# One table for all four protocols: the same Dating and Task calls through each protocol's Java client.
# Usage: bench/protocols.sh [seconds-per-case, default 3] [concurrent calls, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
# The adapters come from the reactor build; install them so exec:java on examples resolves them.
mvn -B -q -DskipTests -pl examples -am install >/dev/null
mvn -B -q -pl examples test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.ipc.examples.bench.ProtocolBenchmark -Dexec.args="${1:-3} ${2:-16}"
