// Connects to an ipc Socket.IO server that authenticates, with socket.io-client v4 and the handshake's
// auth: {token}: no token, a bad token, a reader's and a writer's; prints what each got as one JSON
// line prefixed with RESULT, for SocketIoAuthTest.
// Usage: node auth.js <url> <readerToken> <writerToken> <badToken>
'use strict';
const { io } = require('socket.io-client');

const [url, reader, writer, bad] = process.argv.slice(2);
const TIMEOUT = 10000;

function call(socket, event, ...data) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(event, ...data, (err, ...args) => (err ? reject(new Error(event + ': ' + err.message)) : resolve(args[0])));
  });
}

async function session(token, actions) {
  const options = { transports: ['polling', 'websocket'], forceNew: true, reconnection: false, timeout: TIMEOUT };
  if (token !== null) {
    options.auth = { token };
  }
  const socket = io(url, options);
  const error = await new Promise((resolve) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', (err) => resolve(err));
  });
  if (error) {
    socket.close();
    return { connectError: error.message };
  }
  const r = {};
  for (const [key, event, data] of actions) {
    r[key] = data === undefined ? await call(socket, event) : await call(socket, event, data);
  }
  socket.disconnect();
  return r;
}

async function main() {
  const r = {};
  r.none = await session(null, [['list', 'task:list'], ['put', 'task:put', { id: 8, name: 'anonymous' }]]);
  r.bad = await session(bad, []);
  r.reader = await session(reader, [['put', 'task:put', { id: 8, name: 'reader' }], ['get', 'task:get', { id: 8 }]]);
  r.writer = await session(writer, [['put', 'task:put', { id: 8, name: 'writer' }], ['get', 'task:get', { id: 8 }]]);
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
