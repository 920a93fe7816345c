// Connects with socket.io-client's default transports (polling, then WebSocket) and prints when the
// upgrade happened, as RESULT {"upgraded":true,...}. netty-socketio without Connection: close on
// polling responses stalls this upgrade for 25 s or more.
// Usage: node upgrade.js <url>
'use strict';
const { io } = require('socket.io-client');

const [url] = process.argv.slice(2);
const started = Date.now();
const socket = io(url, { forceNew: true, reconnection: false });
socket.io.engine.on('upgrade', (transport) => {
  socket.timeout(10000).emit('dating:eating', { food: 'steak' }, (err, answer) => {
    const r = {
      upgraded: true,
      transport: transport.name,
      millis: Date.now() - started,
      answer: err ? String(err) : answer,
    };
    console.log('RESULT ' + JSON.stringify(r));
    socket.disconnect();
    process.exit(0);
  });
});
socket.on('connect_error', (err) => {
  console.error('FAILED connect_error: ' + err.message);
  process.exit(1);
});
