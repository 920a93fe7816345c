// The baseline: a Node socket.io 4 server doing what the benchmark asks of ipc-socketio.
// `dating:eating` acks {feeling: true}; `bench:broadcast` re-emits its payload to every client as
// `bench:tick`. Prints "PORT <n>" once listening. Usage: node server.js [port]
'use strict';
const { createServer } = require('http');
const { Server } = require('socket.io');

const httpServer = createServer();
// perMessageDeflate off, as ipc-socketio's default; Node's own default is off as well.
const io = new Server(httpServer, { perMessageDeflate: false });
io.on('connection', (socket) => {
  socket.on('dating:eating', (eat, ack) => {
    if (typeof ack !== 'function') return;
    if (!eat || typeof eat.food !== 'string' || eat.food.trim() === '') {
      ack({ error: { code: 'INVALID_ARGUMENT', message: 'food: must not be blank' } });
      return;
    }
    ack({ feeling: true });
  });
  socket.on('bench:broadcast', (data) => io.emit('bench:tick', data));
});
httpServer.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('PORT ' + httpServer.address().port);
});
