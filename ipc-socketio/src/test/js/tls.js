// Connects to an ipc Socket.IO server over TLS (https:// polling, wss://) with socket.io-client v4,
// trusting the test CA through its `ca` option; also once without it, which must fail. Prints what
// each got as one JSON line prefixed with RESULT, for SocketIoTlsTest.
// Usage: node tls.js <https url> <ca.pem>
'use strict';
const fs = require('fs');
const { io } = require('socket.io-client');

const [url, caPath] = process.argv.slice(2);
const TIMEOUT = 10000;
const ca = fs.readFileSync(caPath);

function call(socket, event, data) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(event, data, (err, res) => (err ? reject(new Error(event + ': ' + err.message)) : resolve(res)));
  });
}

async function session(transports, options) {
  const socket = io(url, { transports, forceNew: true, reconnection: false, timeout: TIMEOUT, ...options });
  const error = await new Promise((resolve) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', (err) => resolve(err));
  });
  if (error) {
    socket.close();
    return { connectError: String(error.message) };
  }
  const r = {
    eating: await call(socket, 'dating:eating', { food: 'soup' }),
    get: await call(socket, 'task:get', { id: 2 }),
    transport: socket.io.engine.transport.name,
  };
  socket.disconnect();
  return r;
}

async function main() {
  const r = {};
  r.polling = await session(['polling'], { ca });
  r.websocket = await session(['websocket'], { ca });
  r.upgrade = await session(['polling', 'websocket'], { ca });
  r.untrusted = await session(['websocket'], {});
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
