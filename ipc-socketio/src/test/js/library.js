// Calls the Library service (dev.ipc.core.testing.MemoryLibrary) of an ipc Socket.IO server with
// socket.io-client v4 and acks, and prints every ack as one JSON line prefixed with RESULT, for
// SocketIoNodeClientTest to assert on the JSON forms of every type.
// Usage: node library.js <url> <polling|websocket|default>
'use strict';
const { io } = require('socket.io-client');
const { BOOK, EDITION } = require('../resources/library-fixtures.json');

const [url, mode] = process.argv.slice(2);
const transports = mode === 'default' ? ['polling', 'websocket'] : [mode];
const TIMEOUT = 10000;

function connect() {
  const socket = io(url, { transports, forceNew: true, reconnection: false, timeout: TIMEOUT });
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

async function main() {
  const r = {};
  const s = await connect();
  r.add = await call(s, 'library:add', BOOK);
  r.get = await call(s, 'library:get', { id: BOOK.id });
  await call(s, 'library:add', { id: 8, title: 'Leaves of Grass', genre: 'POETRY' });
  r.search = await call(s, 'library:search', { text: '', genre: 'NOVEL', limit: 10 });
  r.badEnum = await call(s, 'library:search', { text: '', genre: 'HORROR', limit: 10 });
  r.put = await call(s, 'library:put', { id: 9, book: { id: 9, title: 'Cosmos', genre: 'SCIENCE' } });
  r.remove = await call(s, 'library:remove', { id: 9 });
  r.echo = await call(s, 'library:echo', EDITION);
  r.echoEmpty = await call(s, 'library:echo', {});
  r.blank = await call(s, 'library:add', { ...BOOK, id: 10, title: ' ' });
  r.wrongType = await call(s, 'library:echo', { pages: 'many' });
  r.badBytes = await call(s, 'library:add', { ...BOOK, id: 11, cover: 'not base64!' });
  s.disconnect();
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
