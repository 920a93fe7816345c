#!/usr/bin/env bash
# Cross-node broadcast (issue 22): two ipc nodes sharing broadcasts over one redis-server (RedisBus)
# against two Node socket.io 4 servers with @socket.io/redis-adapter over another, 100 Socket.IO
# clients per side split over the two nodes, in alternating rounds; deliveries/s side by side and the
# ratio's mean with a 95 % interval (see ClusterBenchmark). Needs node, npm, redis-server, mvn, java.
# Usage: bench/cluster.sh [seconds-per-round (5)] [rounds (5)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for tool in node npm mvn java redis-server; do
  command -v "$tool" >/dev/null || { echo "bench/cluster.sh: $tool is required" >&2; exit 1; }
done
if [ ! -d bench/cluster-node/node_modules ]; then
  (cd bench/cluster-node && npm ci --no-audit --no-fund --silent)
fi
. bench/classpath.sh
classpath=$(bench_classpath examples)
java -cp "$classpath" dev.ipc.examples.bench.ClusterBenchmark "${1:-5}" "${2:-5}" "$root/bench/cluster-node"
