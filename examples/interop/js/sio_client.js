// socket.io-client v4 against the example server: the article's `message` and `login` events and their
// broadcasts, the upgrade from polling to WebSocket, and service calls answered through acks.
// Usage: node sio_client.js URL   (prints "ok" on success, exits 1 with the reason otherwise)
'use strict';
const { io } = require('socket.io-client');

const url = process.argv[2] || 'http://127.0.0.1:8080';
const TIMEOUT = 10000;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function next(socket, event) {
  return within(new Promise((resolve) => socket.once(event, (...args) => resolve(args))), event);
}

function call(socket, event, data) {
  return within(new Promise((resolve) => socket.emit(event, data, (...args) => resolve(args))), event + ' ack');
}

function expectEqual(what, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(what + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
  }
}

async function main() {
  const socket = io(url, { reconnection: false, timeout: TIMEOUT });
  const upgraded = next(socket.io.engine, 'upgrade');
  await next(socket, 'connect');
  await upgraded; // the client starts on polling; it must reach WebSocket promptly
  expectEqual('transport after upgrade', socket.io.engine.transport.name, 'websocket');

  const message = next(socket, 'message');
  socket.emit('message', 'hello');
  expectEqual('message broadcast', (await message)[0], { a: 'messagetest' });

  const login = next(socket, 'login');
  socket.emit('login', { user: 'me' });
  expectEqual('login broadcast', (await login)[0], { a: 'logintest' });

  expectEqual('dating:eating ack', (await call(socket, 'dating:eating', { food: 'steak' }))[0], { feeling: true });
  const missing = (await call(socket, 'task:get', { id: 424242 }))[0];
  expectEqual('task:get error code', missing && missing.error && missing.error.code, 'NOT_FOUND');
  const person = (await call(socket, 'person:get', {}))[0];
  expectEqual('person:get', person.name, 'Rootkit');
  socket.disconnect();
  console.log('ok');
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
