#!/usr/bin/env bash
# Socket.IO load, one bounded run (~60 s, loopback only): ack round trips with 1 and 100 clients and
# broadcast fan-out to 100 clients, against ipc-socketio (compression off and on) and a Node socket.io 4
# server doing the same, all from the same Node socket.io-client process.
# Usage: bench/socketio.sh [seconds-per-run]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for tool in node npm mvn; do
  command -v "$tool" >/dev/null || { echo "bench/socketio.sh: $tool is required" >&2; exit 1; }
done
if [ ! -d bench/socketio-node/node_modules ]; then
  (cd bench/socketio-node && npm ci --no-audit --no-fund --silent)
fi
mvn -B -q -pl ipc-socketio test-compile exec:java \
  -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.ipc.socketio.bench.SocketIoBench \
  -Dexec.args="$root/bench/socketio-node ${1:-3}"
