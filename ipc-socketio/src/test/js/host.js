// Drives a server's host API (a custom namespace, rooms, multi-argument acks, binary both ways) with
// socket.io-client v4, and prints what each client received as one JSON line prefixed with RESULT,
// for SocketIoNodeClientTest to assert on.
// Usage: node host.js <url> <polling|websocket>
'use strict';
const { io } = require('socket.io-client');

const [url, mode] = process.argv.slice(2);
const TIMEOUT = 10000;

// Binary values as {bin: [bytes]}, so JSON can show them.
function shown(v) {
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer) return { bin: [...Buffer.from(v)] };
  if (Array.isArray(v)) return v.map(shown);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shown(x)]));
  return v;
}

function connect(nsp, log) {
  const socket = io(url + nsp, { transports: [mode], forceNew: true, reconnection: false, timeout: TIMEOUT });
  // Every event this client gets, in order.
  socket.onAny((event, ...args) => log.push([event, ...shown(args)]));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error('connect_error: ' + err.message)));
  });
}

function call(socket, event, ...data) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(event, ...data, (err, ...args) => (err ? reject(new Error(event + ': ' + err.message)) : resolve(shown(args))));
  });
}

async function until(condition) {
  const deadline = Date.now() + TIMEOUT;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function main() {
  const r = {};
  const logs = { a: [], b: [], c: [], main: [] };
  const a = await connect('/chat', logs.a);
  const b = await connect('/chat', logs.b);
  const c = await connect('/chat', logs.c);
  const main = await connect('', logs.main);
  await until(() => logs.a.length && logs.b.length && logs.c.length);
  r.namespace = a.nsp;

  // Any number of arguments each way, bytes among them (the first one 0x04).
  r.echo = await call(a, 'echo', 1, 'two', { three: [true] }, Buffer.from([4, 0, 1]));
  r.bytes = await call(a, 'bytes', Buffer.from([4, 9]));

  r.joinA = await call(a, 'join', 'r');
  r.joinB = await call(b, 'join', 'r');
  await call(c, 'to-room', 'r', 1); // from outside the room: both members
  await call(a, 'to-room', 'r', 2); // from a member: the other one only
  r.leaveA = await call(a, 'leave', 'r');
  await call(c, 'to-room', 'r', 3); // a left: b only
  await call(a, 'to-others', 4); // b and c
  await call(a, 'to-all', 5); // everyone in /chat, the main namespace's client not
  await until(() => [logs.a, logs.b, logs.c].every((l) => l.some((e) => e[0] === 'all')));
  r.logs = logs;
  for (const s of [a, b, c, main]) s.disconnect();
  return r;
}

main().then(
  (r) => {
    console.log('RESULT ' + JSON.stringify(r));
    process.exit(0);
  },
  (err) => {
    console.error('FAILED ' + (err && err.stack ? err.stack : err));
    process.exit(1);
  }
);
