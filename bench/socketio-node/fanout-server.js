// The fan-out baseline of bench/fanout.sh: a Node socket.io 4 server doing what ipc-socketio does for
// TaskService's live feed. `task:watchTasks` joins the room of watchers (acked {}); `task:put` stores
// the task, emits it as `task:saved` to the room, then acks the task, as ipc-socketio's put answers.
// Prints "PORT <n>" once listening. Usage: node fanout-server.js [port]
'use strict';
const { createServer } = require('http');
const { Server } = require('socket.io');

const httpServer = createServer();
// perMessageDeflate off, as ipc-socketio's default; Node's own default is off as well.
const io = new Server(httpServer, { perMessageDeflate: false });
const tasks = new Map();
io.on('connection', (socket) => {
  socket.on('task:watchTasks', (filter, ack) => {
    socket.join('watchers');
    if (typeof ack === 'function') ack({});
  });
  socket.on('task:watchTasks:cancel', () => socket.leave('watchers'));
  socket.on('task:put', (task, ack) => {
    if (!task || typeof task.id !== 'number' || typeof task.name !== 'string' || task.name.trim() === '') {
      if (typeof ack === 'function') {
        ack({ error: { code: 'INVALID_ARGUMENT', message: 'task: expected {id, name}' } });
      }
      return;
    }
    const saved = { id: task.id, name: task.name };
    const created = !tasks.has(saved.id);
    tasks.set(saved.id, saved);
    io.to('watchers').emit('task:saved', saved);
    if (typeof ack === 'function') {
      if (created) ack(saved, { created: true });
      else ack(saved);
    }
  });
});
httpServer.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('PORT ' + httpServer.address().port);
});
