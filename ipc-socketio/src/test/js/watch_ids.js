// Named watches with socket.io-client v4: one connection holds two watches with overlapping filters,
// w1 of ids base+5..base+7 and w2 from base+6 on, and an unnamed one of base+8 only; another connection
// puts base+4..base+8; w1 cancels by its id, base+9 is put; w2 and the unnamed one cancel, base+10 is
// put. Prints, as one JSON line prefixed with RESULT, what the watching connection heard per watch id
// (the unnamed one and the broadcast under "none"), for SocketIoWatchIdsTest.
// Usage: node watch_ids.js <url> <polling|websocket> <base>
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

// Resolves once `count()` reaches `n`, checking as events come; rejects after TIMEOUT.
function until(count, n, what) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + TIMEOUT;
    const check = () => {
      if (count() >= n) {
        resolve();
      } else if (Date.now() > deadline) {
        reject(new Error(what + ': ' + count()));
      } else {
        setTimeout(check, 5);
      }
    };
    check();
  });
}

async function main() {
  const heard = { w1: [], w2: [], none: [] };
  const r = { heard, acks: {}, errors: [] };
  const watcher = await connect();
  const writer = await connect();
  watcher.on('task:saved', (t, id) => {
    const key = id === undefined ? 'none' : id;
    (heard[key] = heard[key] || []).push(t.id);
  });
  watcher.on('task:watchTasks:error', (e, id) => r.errors.push({ e, id }));
  const total = () => heard.w1.length + heard.w2.length + heard.none.length;

  r.acks.badId = await call(watcher, 'task:watchTasks', {}, 7);
  r.acks.w1 = await call(watcher, 'task:watchTasks', { fromId: base + 5, toId: base + 7 }, 'w1');
  r.acks.w2 = await call(watcher, 'task:watchTasks', { fromId: base + 6 }, 'w2');
  r.acks.unnamed = await call(watcher, 'task:watchTasks', { fromId: base + 8, toId: base + 8 });
  for (let id = base + 4; id <= base + 8; id++) {
    await call(writer, 'task:put', { id, name: 't' + id });
  }
  // w1: 5, 6, 7; w2: 6, 7, 8; unnamed: 8.
  await until(total, 7, 'the three watches');
  r.acks.cancelW1 = await call(watcher, 'task:watchTasks:cancel', 'w1');
  await call(writer, 'task:put', { id: base + 9, name: 't' + (base + 9) });
  await until(() => heard.w2.length, 4, 'w2 after w1 cancelled');
  r.acks.cancelW2 = await call(watcher, 'task:watchTasks:cancel', 'w2');
  r.acks.cancelUnnamed = await call(watcher, 'task:watchTasks:cancel');
  await call(writer, 'task:put', { id: base + 10, name: 't' + (base + 10) });
  await until(() => heard.none.length, 2, 'the broadcast once no watch is left');
  watcher.disconnect();
  writer.disconnect();
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
