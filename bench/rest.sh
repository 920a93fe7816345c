#!/usr/bin/env bash
# GET /tasks and PUT /tasks/{id} under wrk load against, in the same run: ipc-rest, a minimal raw
# Netty handler answering the same bytes, and the article's Flask-RESTful server (debug off).
# Prints requests/s, p50, p99 and the ratios as a Markdown table (~2.5 minutes plus the build).
# The two JVM servers are measured in ROUNDS alternating rounds and the median round is reported, so
# load from other processes on the machine hits both alike; Flask is measured once per endpoint.
# Settings: SECONDS_EACH (default 3), ROUNDS (7: on 2 shared cores single rounds swing by +-0.1x), THREADS (2), CONNECTIONS (32), WARMUP (10 s per JVM server
# and endpoint: with 3 s the first measured round of ipc-rest still ran while the JIT compiled its path).
# JAVA_OPTS go to the JVM servers (e.g. -Dbench.workerThreads=1 for ipc-rest's event loops).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-3}
ROUNDS=${ROUNDS:-7}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-10}
PYTHON=/usr/bin/python3

for tool in wrk curl java mvn "$PYTHON"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

. bench/classpath.sh
classpath=$(bench_classpath ipc-rest)

work=$(mktemp -d)
java_pid=""
flask_pid=""
cleanup() {
  [ -n "$java_pid" ] && kill "$java_pid" 2>/dev/null || true
  [ -n "$flask_pid" ] && kill "$flask_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The JVM servers run until their stdin (a FIFO we hold open) closes.
mkfifo "$work/stdin"
java ${JAVA_OPTS:-} -cp "$classpath" dev.ipc.rest.bench.RestBenchServers <"$work/stdin" >"$work/ports" 2>"$work/java.log" &
java_pid=$!
exec 3>"$work/stdin"

flask_port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$PYTHON" bench/flask_server.py "$flask_port" >"$work/flask.log" 2>&1 &
flask_pid=$!

for _ in $(seq 1 300); do
  if [ "$(wc -l <"$work/ports")" -ge 2 ] && curl -s -o /dev/null "http://127.0.0.1:$flask_port/tasks"; then
    break
  fi
  sleep 0.1
done
rest_port=$(awk '$1=="ipc-rest"{print $2}' "$work/ports")
raw_port=$(awk '$1=="raw-netty"{print $2}' "$work/ports")
[ -n "$rest_port" ] && [ -n "$raw_port" ] || { echo "JVM servers did not start:" >&2; cat "$work/java.log" >&2; exit 1; }

# Sanity: every server answers the article's requests.
# (Flask's PUT appends a task each time, so it is only checked by the run itself, after its GET.)
for port in "$rest_port" "$raw_port" "$flask_port"; do
  curl -sf "http://127.0.0.1:$port/tasks" >/dev/null
done
for port in "$rest_port" "$raw_port"; do
  curl -sf -X PUT "http://127.0.0.1:$port/tasks/1" -d 'data={"name": "task1"}' >/dev/null
done

for port in "$rest_port" "$raw_port"; do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$port/tasks" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/put.lua "http://127.0.0.1:$port/tasks" >/dev/null
done

# run NAME ENDPOINT PORT -> "rps p50_ms p99_ms" in $work/NAME-ENDPOINT
to_ms() { # wrk prints 1.23ms, 456.00us, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
run() {
  local name=$1 endpoint=$2 port=$3 out
  if [ "$endpoint" = GET ]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "http://127.0.0.1:$port/tasks")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s bench/put.lua "http://127.0.0.1:$port/tasks")
  fi
  echo "$out" >"$work/$name-$endpoint.txt"
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {printf "%s ", $0}')
  echo "$rps $p50 $p99" >>"$work/$name-$endpoint.rounds"
  [ -z "$errors" ] || echo "note: $name $endpoint: $errors" >&2
}
median() { # the round with the median requests/s
  sort -n -k1,1 "$1.rounds" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }' >"$1"
}

for endpoint in GET PUT; do
  for _ in $(seq 1 "$ROUNDS"); do
    run ipc-rest "$endpoint" "$rest_port"
    run raw-netty "$endpoint" "$raw_port"
  done
  run flask "$endpoint" "$flask_port"
  for name in ipc-rest raw-netty flask; do
    median "$work/$name-$endpoint"
  done
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_EACH}s, median of $ROUNDS alternating rounds for the JVM servers, loopback; $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
echo
echo "| endpoint | server | requests/s | p50 ms | p99 ms |"
echo "| --- | --- | ---: | ---: | ---: |"
for endpoint in GET PUT; do
  for name in ipc-rest raw-netty flask; do
    read -r rps p50 p99 <"$work/$name-$endpoint"
    label="$endpoint /tasks"; [ "$endpoint" = PUT ] && label="PUT /tasks/{id}"
    echo "| $label | $name | $rps | $p50 | $p99 |"
  done
done
echo
for endpoint in GET PUT; do
  # Each round's ratio (ipc-rest's round against the raw round right after it), to show the spread.
  # Their mean with a 95 % interval (Student's t): on 2 shared cores one run's median can land 0.1x
  # either side, so the interval says how far a single run can be trusted.
  echo "$endpoint rounds, ipc-rest / raw Netty: $(paste "$work/ipc-rest-$endpoint.rounds" "$work/raw-netty-$endpoint.rounds" | awk '
    { r[NR] = $1 / $4; printf "%.2f ", r[NR]; sum += r[NR] }
    END {
      n = NR; mean = sum / n
      for (i = 1; i <= n; i++) ss += (r[i] - mean) ^ 2
      split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23", t, " ")
      if (n > 1) { h = (n - 1 <= 10 ? t[n - 1] : 2.0) * sqrt(ss / (n - 1) / n); printf "(mean %.2f, 95 %% interval %.2f-%.2f)", mean, mean - h, mean + h }
    }')"
done
echo
echo "| endpoint | ipc-rest / raw Netty (target >= 0.8) | ipc-rest / Flask (target >= 20) |"
echo "| --- | ---: | ---: |"
for endpoint in GET PUT; do
  read -r rest _ _ <"$work/ipc-rest-$endpoint"
  read -r raw _ _ <"$work/raw-netty-$endpoint"
  read -r flask _ _ <"$work/flask-$endpoint"
  awk -v e="$endpoint" -v a="$rest" -v b="$raw" -v c="$flask" \
    'BEGIN { printf "| %s | %.2fx | %.1fx |\n", (e=="GET" ? "GET /tasks" : "PUT /tasks/{id}"), a/b, a/c }'
done
