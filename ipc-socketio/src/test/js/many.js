// Opens <n> WebSocket connections at once, each doing one call, and prints how many answered right.
// Usage: node many.js <url> <n>
'use strict';
const { io } = require('socket.io-client');

const [url, nText] = process.argv.slice(2);
const n = Number(nText);

function one(i) {
  return new Promise((resolve) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20000 });
    socket.once('connect_error', (err) => resolve({ ok: false, why: 'connect_error ' + err.message }));
    socket.once('connect', () => {
      socket.timeout(20000).emit('task:get', { id: (i % 3) + 1 }, (err, task) => {
        socket.disconnect();
        if (err) {
          resolve({ ok: false, why: String(err) });
        } else {
          resolve({ ok: task && task.id === (i % 3) + 1 && task.name === 'task' + task.id, why: JSON.stringify(task) });
        }
      });
    });
  });
}

Promise.all(Array.from({ length: n }, (_, i) => one(i))).then((results) => {
  const failures = results.filter((r) => !r.ok);
  console.log('RESULT ' + JSON.stringify({ total: results.length, ok: results.length - failures.length, firstFailure: failures[0] || null }));
  process.exit(0);
});
