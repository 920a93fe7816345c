// The baseline of bench/cluster.sh: a Node socket.io 4 server in a cluster of such servers sharing
// broadcasts through @socket.io/redis-adapter, doing what the ipc nodes do in the same bench: `bcast`
// broadcasts its argument as `message` to every client of every node (io.emit), then acks {}.
// Prints "PORT <n>" once listening and subscribed. Usage: node server.js <redis-url> [port]
'use strict';
const { createServer } = require('http');
const { Server } = require('socket.io');
const { createClient } = require('redis');
const { createAdapter } = require('@socket.io/redis-adapter');

async function main() {
  const url = process.argv[2];
  const pub = createClient({ url });
  const sub = pub.duplicate();
  pub.on('error', (e) => console.error('redis pub:', e.message));
  sub.on('error', (e) => console.error('redis sub:', e.message));
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = createServer();
  // perMessageDeflate off, as ipc-socketio's default.
  const io = new Server(httpServer, { perMessageDeflate: false, adapter: createAdapter(pub, sub) });
  io.on('connection', (socket) => {
    socket.on('bcast', (data, ack) => {
      io.emit('message', data);
      if (typeof ack === 'function') ack({});
    });
  });
  httpServer.listen(Number(process.argv[3] || 0), '127.0.0.1', () => {
    console.log('PORT ' + httpServer.address().port);
  });
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
