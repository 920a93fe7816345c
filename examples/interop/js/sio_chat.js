// socket.io-client v4 against the example server's /chat namespace, over long-polling only by default:
// rooms (join, say to the others in a room, leave), an ack with several arguments, binary both ways.
// Usage: node sio_chat.js URL [polling|websocket]   (prints "ok", or exits 1 with the reason)
'use strict';
const { io } = require('socket.io-client');

const [url, mode = 'polling'] = process.argv.slice(2);
const TIMEOUT = 10000;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connect(log) {
  const socket = io(url + '/chat', { transports: [mode], forceNew: true, reconnection: false, timeout: TIMEOUT });
  socket.onAny((event, ...args) => log.push([event, ...args]));
  await within(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (e) => reject(new Error('connect_error: ' + e.message)));
  }), 'connect');
  return socket;
}

const call = (socket, event, ...args) =>
  within(new Promise((resolve) => socket.emit(event, ...args, (...answer) => resolve(answer))), event);

function expect(what, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(what + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
  }
}

async function main() {
  const logA = [];
  const logB = [];
  const a = await connect(logA);
  const b = await connect(logB);
  if (a.io.engine.transport.name !== mode) throw new Error('transport ' + a.io.engine.transport.name);
  expect('joined', await call(a, 'join', 'lobby'), [['lobby']]);
  expect('joined', await call(b, 'join', 'lobby'), [['lobby']]);
  await call(a, 'say', 'lobby', 'hi from a');
  await within((async () => { while (!logB.some((e) => e[0] === 'said')) await new Promise((r) => setTimeout(r, 10)); })(), 'said');
  expect('b heard a', logB.filter((e) => e[0] === 'said'), [['said', 'hi from a']]);
  expect('a did not hear itself', logA.filter((e) => e[0] === 'said'), []);
  expect('left', await call(b, 'leave', 'lobby'), [[]]);
  await call(a, 'say', 'lobby', 'only a is here');

  const bytes = Buffer.from([4, 0, 255]);
  const echoed = await call(a, 'echo', 1, 'two', { three: true }, bytes);
  expect('echo head', echoed.slice(0, 3), [1, 'two', { three: true }]);
  if (!Buffer.isBuffer(echoed[3]) || !echoed[3].equals(bytes)) throw new Error('binary: ' + JSON.stringify(echoed[3]));
  expect('welcome', logA[0], ['welcome', '/chat']);
  // b left before a's second message: it heard exactly one.
  expect('b heard once', logB.filter((e) => e[0] === 'said').length, 1);
  a.close();
  b.close();
  console.log('ok');
}

main().then(() => process.exit(0), (e) => { console.error(e.stack || String(e)); process.exit(1); });
