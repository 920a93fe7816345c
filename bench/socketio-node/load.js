// The load client of bench/socketio.sh, the same for every server measured: socket.io-client v4 over
// WebSocket from one Node process. Prints one "RESULT {json}" line.
// Usage: node load.js <url> <ack|fanout> <clients> <seconds>
//   ack:    each client emits dating:eating and waits for its ack, in a loop; calls/s, p50, p99 (ms)
//   fanout: one client emits bench:broadcast, every client receives bench:tick; per-delivery and
//           last-delivery latency (ms), one round at a time
'use strict';
const { io } = require('socket.io-client');

const [url, mode, clientsText, secondsText] = process.argv.slice(2);
const clients = Number(clientsText);
const seconds = Number(secondsText);

function connect() {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function ack(sockets) {
  const latencies = [];
  let errors = 0;
  // A second of warm-up calls is not counted.
  let phase = 'warmup';
  const loops = sockets.map(async (socket) => {
    while (phase !== 'done') {
      const t0 = process.hrtime.bigint();
      const answer = await socket.emitWithAck('dating:eating', { food: 'steak' });
      if (!answer || answer.feeling !== true) errors++;
      if (phase === 'measure') latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  });
  await sleep(1000);
  phase = 'measure';
  const started = process.hrtime.bigint();
  await sleep(seconds * 1000);
  phase = 'done';
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(loops);
  return { calls: latencies.length, callsPerSecond: latencies.length / elapsed, errors, ...summary(latencies) };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function fanout(sockets) {
  const deliveries = [];
  const lasts = [];
  const trigger = sockets[0];
  const deadline = Date.now() + seconds * 1000;
  let rounds = 0;
  while (Date.now() < deadline) {
    const t0 = process.hrtime.bigint();
    const received = sockets.map((s) => new Promise((resolve) => s.once('bench:tick', () => {
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    })));
    trigger.emit('bench:broadcast', { round: rounds });
    const times = await Promise.all(received);
    if (rounds >= 10) { // the first rounds warm up
      deliveries.push(...times);
      lasts.push(Math.max(...times));
    }
    rounds++;
  }
  const d = summary(deliveries);
  const l = summary(lasts);
  return { rounds: lasts.length, deliveries: deliveries.length, p50: d.p50, p99: d.p99, lastP50: l.p50, lastP99: l.p99 };
}

async function main() {
  const sockets = [];
  for (let i = 0; i < clients; i++) sockets.push(await connect());
  const result = mode === 'ack' ? await ack(sockets) : await fanout(sockets);
  sockets.forEach((s) => s.disconnect());
  console.log('RESULT ' + JSON.stringify(result));
  process.exit(0);
}

main().catch((err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
