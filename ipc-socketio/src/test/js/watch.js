// Watches task saves with socket.io-client v4: one client subscribes to ids base+5..base+6 with
// `task:watchTasks`, another only hears the `task:saved` broadcast; ids base+4..base+7 are put, the
// watcher cancels, base+9 is put. Prints what each heard as one JSON line prefixed with RESULT, for
// SocketIoStreamTest. Usage: node watch.js <url> <polling|websocket> <base>
'use strict';
const { io } = require('socket.io-client');

const [url, mode, baseArg] = process.argv.slice(2);
const base = Number(baseArg);
const TIMEOUT = 10000;

function connect() {
  const socket = io(url, { transports: [mode], forceNew: true, reconnection: false, timeout: TIMEOUT });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error('connect_error: ' + err.message)));
  });
}

function call(socket, event, ...data) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(event, ...data, (err, ...args) => (err ? reject(new Error(event + ': ' + err.message)) : resolve(args[0])));
  });
}

// Resolves once `list` has `n` entries, checking as events come; rejects after TIMEOUT.
function until(list, n, what) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + TIMEOUT;
    const check = () => {
      if (list.length >= n) {
        resolve();
      } else if (Date.now() > deadline) {
        reject(new Error(what + ': ' + JSON.stringify(list)));
      } else {
        setTimeout(check, 5);
      }
    };
    check();
  });
}

async function main() {
  const r = { watcher: [], other: [] };
  const watcher = await connect();
  const other = await connect();
  watcher.on('task:saved', (t) => r.watcher.push(t));
  other.on('task:saved', (t) => r.other.push(t));
  watcher.on('task:watchTasks:error', (e) => { r.error = e; });

  r.badFilter = await call(watcher, 'task:watchTasks', { fromId: 'five' });
  r.ack = await call(watcher, 'task:watchTasks', { fromId: base + 5, toId: base + 6 });
  for (let id = base + 4; id <= base + 7; id++) {
    await call(other, 'task:put', { id, name: 't' + id });
  }
  await until(r.other, 4, 'broadcasts to the other client');
  await until(r.watcher, 2, 'the watch');
  r.cancelAck = await call(watcher, 'task:watchTasks:cancel');
  await call(other, 'task:put', { id: base + 9, name: 't' + (base + 9) });
  await until(r.other, 5, 'the last broadcast');
  await until(r.watcher, 3, 'the broadcast after cancelling');
  watcher.disconnect();
  other.disconnect();
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
