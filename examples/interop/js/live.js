// Live feeds: one task saved over REST reaches a watcher on every protocol, once, through each
// protocol's usual client: socket.io-client (task:watchTasks), graphql-ws (a subscription), the npm
// eventsource (Server-Sent Events) and Python grpcio (server streaming).
// Usage: node live.js SOCKETIO_URL GRPC_ADDRESS REST_URL GRAPHQL_URL
'use strict';
const { io } = require('socket.io-client');
const { createClient } = require('graphql-ws');
const { EventSource } = require('eventsource');
const WebSocket = require('ws');
const { spawn } = require('child_process');
const path = require('path');

const [sioUrl, grpcAddress, restUrl, graphqlUrl] = process.argv.slice(2);
const TIMEOUT = 20000;
const id = 8000 + Math.floor(Math.random() * 1000);
const name = 'live ' + id;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function openStreams() {
  const text = await (await fetch(restUrl + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('ipc_server_streams_open'));
  return line ? Number(line.split(' ').pop()) : -1;
}

async function main() {
  const received = {};
  const want = (proto) => (task) => {
    if (task && task.id === id) {
      if (received[proto]) throw new Error(proto + ' got the save twice');
      received[proto] = task;
    }
  };

  // Socket.IO: subscribe with a filter; the ack confirms.
  const socket = io(sioUrl, { transports: ['websocket'], reconnection: false, timeout: TIMEOUT });
  await within(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  }), 'socket.io connect');
  const sio = new Promise((resolve) => socket.on('task:saved', (t) => { want('socketio')(t); if (received.socketio) resolve(); }));
  await within(new Promise((resolve) => socket.emit('task:watchTasks', { fromId: id, toId: id }, resolve)), 'watch ack');

  // GraphQL over WebSocket (graphql-transport-ws).
  const gql = createClient({ url: graphqlUrl.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, lazy: false });
  const graphql = new Promise((resolve, reject) => {
    gql.subscribe(
      { query: 'subscription ($id: Long) { taskSaved(fromId: $id, toId: $id) { id name } }', variables: { id } },
      { next: (r) => { if (r.errors) reject(new Error(JSON.stringify(r.errors))); want('graphql')(r.data.taskSaved); resolve(); },
        error: reject, complete: () => {} });
  });

  // REST: Server-Sent Events.
  const es = new EventSource(`${restUrl}/tasks/watch?fromId=${id}&toId=${id}`);
  const sse = new Promise((resolve, reject) => {
    es.onmessage = (e) => { want('rest')(JSON.parse(e.data)); resolve(); };
    es.onerror = (e) => { if (es.readyState === EventSource.CLOSED) reject(new Error('sse: ' + e.message)); };
  });

  // gRPC: Python grpcio streams WatchTasks and prints the first task.
  const py = spawn('/usr/bin/python3', [path.join(__dirname, '..', 'grpc_watch.py'), grpcAddress, String(id)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let pyOut = '';
  py.stdout.on('data', (d) => { pyOut += d; });
  const grpc = new Promise((resolve, reject) => py.on('exit', (code) => {
    if (code !== 0) return reject(new Error('grpc watcher exited ' + code));
    want('grpc')(JSON.parse(pyOut));
    resolve();
  }));

  // Every watcher is subscribed once the server counts four open streams.
  await within((async () => { while (await openStreams() < 4) await new Promise((r) => setTimeout(r, 50)); })(), 'four open streams');

  const put = await fetch(`${restUrl}/tasks/${id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }),
  });
  if (put.status !== 201) throw new Error('put answered ' + put.status);

  await within(Promise.all([sio, graphql, sse, grpc]), 'the save on every protocol');
  for (const proto of ['socketio', 'graphql', 'rest', 'grpc']) {
    const t = received[proto];
    if (!t || t.id !== id || t.name !== name) throw new Error(proto + ': ' + JSON.stringify(t));
  }
  socket.emit('task:watchTasks:cancel');
  socket.close();
  es.close();
  await gql.dispose();
  console.log('ok');
}

main().then(() => process.exit(0), (e) => { console.error(e.stack || String(e)); process.exit(1); });
