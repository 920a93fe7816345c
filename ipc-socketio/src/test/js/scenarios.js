// Drives an ipc Socket.IO server with socket.io-client v4 and prints what came back as one JSON line
// prefixed with RESULT, for SocketIoNodeClientTest to assert on.
// Usage: node scenarios.js <url> <polling|websocket|default>
'use strict';
const { io } = require('socket.io-client');

const [url, mode] = process.argv.slice(2);
const transports = mode === 'default' ? ['polling', 'websocket'] : [mode];
const TIMEOUT = 10000;

function connect() {
  const socket = io(url, { transports, forceNew: true, reconnection: false, timeout: TIMEOUT });
  // Listen before connecting: against a fast server the upgrade can finish before `connect` resolves.
  socket.upgraded = false;
  socket.io.engine.on('upgrade', () => { socket.upgraded = true; });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error('connect_error: ' + err.message)));
  });
}

function call(socket, event, ...data) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(event, ...data, (err, ...args) => (err ? reject(new Error(event + ': ' + err.message)) : resolve(args)));
  });
}

function next(socket, event) {
  return new Promise((resolve) => socket.once(event, (...args) => resolve(args)));
}

async function main() {
  const r = {};
  const a = await connect();
  const b = await connect();
  r.connected = a.connected && b.connected;

  r.eating = await call(a, 'dating:eating', { food: 'steak' });
  r.watchMovie = await call(a, 'dating:watchMovie', { film: '星际穿越' });
  r.list = await call(a, 'task:list');
  r.get = await call(a, 'task:get', { id: 2 });
  r.missing = await call(a, 'task:get', { id: 42 });
  r.person = await call(a, 'person:get');
  r.blank = await call(a, 'dating:eating', { food: '' });
  r.unknown = await call(a, 'no:such', { x: 1 });
  r.wrongShape = await call(a, 'dating:eating', 'steak');
  r.wrongType = await call(a, 'task:get', { id: 'two' });

  const savedA = next(a, 'task:saved');
  const savedB = next(b, 'task:saved');
  r.put = await call(a, 'task:put', { id: 5, name: 'task5' });
  r.savedA = await savedA;
  r.savedB = await savedB;
  r.replaced = await call(a, 'task:put', { id: 5, name: 'task five' });

  let messageA = next(a, 'message');
  let messageB = next(b, 'message');
  a.emit('message', 'Hello guys. ');
  r.messageA = await messageA;
  r.messageB = await messageB;
  const loginA = next(a, 'login');
  const loginB = next(b, 'login');
  a.emit('login', { user: 'x' });
  r.loginA = await loginA;
  r.loginB = await loginB;
  messageA = next(a, 'message');
  a.emit('msg', 'use msg channel 2 send data');
  r.resend = await messageA;
  const reply = next(a, 'reply');
  a.emit('reply', 'hi');
  r.reply = await reply;

  const bytes = Buffer.from([0, 1, 2, 3, 4, 250, 255]);
  const echoed = await call(a, 'binary', bytes);
  r.binaryIsBuffer = Buffer.isBuffer(echoed[0]);
  r.binary = Buffer.isBuffer(echoed[0]) ? echoed[0].toString('hex') : String(echoed[0]);

  r.afterBadInput = await call(a, 'dating:eating', { food: 'soup' });
  r.upgraded = a.upgraded;
  r.transport = a.io.engine.transport.name;
  const gone = next(a, 'disconnect');
  a.disconnect();
  r.disconnect = (await gone)[0];
  b.disconnect();
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
