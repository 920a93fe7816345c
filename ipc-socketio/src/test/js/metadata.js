// Call metadata with socket.io-client v4: the handshake carries `authorization: Bearer handshake`; a
// `task:get` carries an object after its request with a traceparent, an authorization and a cookie of
// its own (which the server must ignore), another header and a number; a named `task:watchTasks`
// carries one after its watch id. Prints the acks as one JSON line prefixed with RESULT, for
// SocketIoCallMetadataTest. Usage: node metadata.js <url> <polling|websocket> <traceparent> <traceparent>
'use strict';
const { io } = require('socket.io-client');

const [url, mode, callParent, watchParent] = process.argv.slice(2);
const TIMEOUT = 10000;

function call(socket, event, ...data) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(event, ...data, (err, ...args) => (err ? reject(new Error(event + ': ' + err.message)) : resolve(args[0])));
  });
}

async function main() {
  const socket = io(url, {
    transports: [mode],
    forceNew: true,
    reconnection: false,
    timeout: TIMEOUT,
    extraHeaders: { authorization: 'Bearer handshake' },
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (err) => reject(new Error('connect_error: ' + err.message)));
  });
  const r = {};
  r.get = await call(socket, 'task:get', { id: 1 }, {
    traceparent: callParent,
    authorization: 'Bearer per-call',
    Cookie: 'session=per-call',
    'X-Extra': 'extra',
    number: 5,
  });
  r.watch = await call(socket, 'task:watchTasks', {}, 'w1', { traceparent: watchParent });
  r.cancel = await call(socket, 'task:watchTasks:cancel', 'w1');
  socket.disconnect();
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(() => process.exit(0), (err) => {
  console.error('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
