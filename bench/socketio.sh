#!/usr/bin/env bash
# Socket.IO load on loopback: ack round trips with 1 and 100 clients and broadcast fan-out to 100
# clients, against ipc-socketio (compression off and on) and a Node socket.io 4 server doing the same,
# all from the same Node socket.io-client process. All servers run at once; every test runs in
# alternating rounds (ipc, ipc compressed, Node, ...) and reports each server's median round. Every
# server first gets the same discarded warm-up (acks from 50 clients, then a 10 s fan-out), so each is
# measured in its steady state. The JVM side runs in its own `java` process, as a host's server would.
# Also 100 clients split over two client processes (one Node client process is the limit otherwise).
# About 5.5 minutes with the defaults.
# Usage: bench/socketio.sh [seconds-per-round (3)] [warm-up-seconds (20)] [rounds (5)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for tool in node npm mvn java; do
  command -v "$tool" >/dev/null || { echo "bench/socketio.sh: $tool is required" >&2; exit 1; }
done
if [ ! -d bench/socketio-node/node_modules ]; then
  (cd bench/socketio-node && npm ci --no-audit --no-fund --silent)
fi
. bench/classpath.sh
classpath=$(bench_classpath ipc-socketio)
java -cp "$classpath" \
  dev.ipc.socketio.bench.SocketIoBench "$root/bench/socketio-node" "${1:-3}" "${2:-20}" "${3:-5}"
