#!/usr/bin/env bash
# GraphQL load, one run (~50 s, loopback only): wrk against ipc-graphql and the article's Koa server,
# and graphql-java in-process as the ceiling. Usage: bench/graphql.sh [seconds-per-run] [connections]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for tool in wrk node npm mvn java; do
  command -v "$tool" >/dev/null || { echo "bench/graphql.sh: $tool is required" >&2; exit 1; }
done
if [ ! -d bench/koa/node_modules ]; then
  (cd bench/koa && npm ci --no-audit --no-fund --silent)
fi
. bench/classpath.sh
classpath=$(bench_classpath ipc-graphql)
java -cp "$classpath" dev.ipc.graphql.bench.GraphqlBench "$root" "${1:-6}" "${2:-32}"
