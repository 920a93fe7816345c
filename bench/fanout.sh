#!/usr/bin/env bash
# Live-feed fan-out (issue 19): one publisher putting tasks in a closed loop, N subscribers to
# TaskService.watchTasks (N = 1, 100, 1000) per protocol, through ipc's Java clients against one ipc
# server: deliveries/s and p50/p99 delivery latency (put start to receipt, one JVM clock). Baselines in
# the same run, in alternating rounds: a hand-written grpc-java server and clients for gRPC, a Node
# socket.io 4 server (bench/socketio-node/fanout-server.js) with the same Java Socket.IO clients for
# Socket.IO; REST (SSE) and GraphQL report their own figures. Prints each round, then a table and each
# ratio's mean with a 95 % interval. 108 rounds with the defaults plus set-up: ~6 min at 3 s, ~4.5 at 2 s.
# Usage: bench/fanout.sh [seconds-per-round (3)] [rounds (5)] [protocols (grpc,rest,graphql,socketio)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for tool in node npm mvn java; do
  command -v "$tool" >/dev/null || { echo "bench/fanout.sh: $tool is required" >&2; exit 1; }
done
if [ ! -d bench/socketio-node/node_modules ]; then
  (cd bench/socketio-node && npm ci --no-audit --no-fund --silent)
fi
. bench/classpath.sh
classpath=$(bench_classpath examples)
# 1,000 Socket.IO subscribers per side are 1,000 OkHttp connections, each with a reader thread.
java -Xss512k -cp "$classpath" dev.ipc.examples.bench.FanoutBenchmark \
  "${1:-3}" "${2:-5}" "$root/bench/socketio-node" "${3:-grpc,rest,graphql,socketio}"
