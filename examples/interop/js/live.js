// Live feeds: one task saved over each protocol reaches a watcher on every protocol, in order and once,
// through each protocol's usual client: socket.io-client (task:watchTasks), graphql-ws (a
// subscription), the npm eventsource (Server-Sent Events) and Python grpcio (server streaming).
// Usage: node live.js SOCKETIO_URL GRPC_ADDRESS REST_URL GRAPHQL_URL
'use strict';
const { io } = require('socket.io-client');
const { createClient } = require('graphql-ws');
const { EventSource } = require('eventsource');
const WebSocket = require('ws');
const { spawn, execFileSync } = require('child_process');
const path = require('path');

const [sioUrl, grpcAddress, restUrl, graphqlUrl] = process.argv.slice(2);
const TIMEOUT = 20000;
const first = 8000 + 4 * Math.floor(Math.random() * 250);
const last = first + 3;
// One save per protocol, in this order; every watcher must see exactly these, in this order.
const saves = ['rest', 'grpc', 'graphql', 'socketio'].map((by, i) => ({ id: first + i, name: 'live by ' + by }));

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
  const received = { socketio: [], graphql: [], rest: [], grpc: [] };
  const done = {};
  const finished = {};
  for (const proto of Object.keys(received)) done[proto] = new Promise((resolve) => { finished[proto] = resolve; });
  const want = (proto) => (task) => {
    if (task && task.id >= first && task.id <= last) {
      received[proto].push({ id: task.id, name: task.name });
      if (received[proto].length >= saves.length) finished[proto]();
    }
  };

  // Socket.IO: subscribe with a filter; the ack confirms.
  const socket = io(sioUrl, { transports: ['websocket'], reconnection: false, timeout: TIMEOUT });
  await within(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  }), 'socket.io connect');
  socket.on('task:saved', want('socketio'));
  await within(new Promise((resolve) => socket.emit('task:watchTasks', { fromId: first, toId: last }, resolve)), 'watch ack');

  // GraphQL over WebSocket (graphql-transport-ws).
  const gql = createClient({ url: graphqlUrl.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, lazy: false });
  const graphqlFailed = new Promise((_, reject) => {
    gql.subscribe(
      { query: 'subscription ($a: Long, $b: Long) { taskSaved(fromId: $a, toId: $b) { id name } }', variables: { a: first, b: last } },
      { next: (r) => { if (r.errors) reject(new Error(JSON.stringify(r.errors))); else want('graphql')(r.data.taskSaved); },
        error: (e) => reject(new Error('graphql: ' + JSON.stringify(e))), complete: () => {} });
  });

  // REST: Server-Sent Events.
  const es = new EventSource(`${restUrl}/tasks/watch?fromId=${first}&toId=${last}`);
  const sseFailed = new Promise((_, reject) => {
    es.onmessage = (e) => want('rest')(JSON.parse(e.data));
    es.onerror = (e) => { if (es.readyState === EventSource.CLOSED) reject(new Error('sse: ' + e.message)); };
  });

  // gRPC: Python grpcio streams WatchTasks and prints the first task.
  const py = spawn('/usr/bin/python3',
    [path.join(__dirname, '..', 'grpc_watch.py'), grpcAddress, String(first), String(last), String(saves.length)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let pyOut = '';
  py.stdout.on('data', (d) => { pyOut += d; });
  const grpcFailed = new Promise((_, reject) => py.on('exit', (code) => {
    if (code !== 0) return reject(new Error('grpc watcher exited ' + code));
    JSON.parse(pyOut).forEach(want('grpc'));
  }));

  // Every watcher is subscribed once the server counts four open streams.
  await within((async () => { while (await openStreams() < 4) await new Promise((r) => setTimeout(r, 50)); })(), 'four open streams');

  // One save over each protocol, each finished before the next starts.
  const [rest, grpc, graphql, sio] = saves;
  const put = await fetch(`${restUrl}/tasks/${rest.id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: rest.name }),
  });
  if (put.status !== 201) throw new Error('rest put answered ' + put.status);
  execFileSync('/usr/bin/python3', [path.join(__dirname, '..', 'grpc_put.py'), grpcAddress, String(grpc.id), grpc.name],
    { stdio: ['ignore', 'pipe', 'inherit'], timeout: TIMEOUT });
  const mutation = await (await fetch(graphqlUrl + '/graphql', {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: 'mutation ($id: Long!, $name: String!) { putTask(id: $id, name: $name) { id } }',
      variables: { id: graphql.id, name: graphql.name } }),
  })).json();
  if (mutation.errors) throw new Error('graphql put: ' + JSON.stringify(mutation.errors));
  const ack = await within(new Promise((resolve) => socket.emit('task:put', sio, resolve)), 'socket.io put ack');
  if (ack && ack.error) throw new Error('socket.io put: ' + JSON.stringify(ack));

  const failed = Promise.race([graphqlFailed, sseFailed, grpcFailed]);
  await within(Promise.race([Promise.all(Object.values(done)), failed]), 'the saves on every protocol');
  // A duplicate would come right behind the last save: let the event loop run once more, then compare.
  await new Promise((r) => setImmediate(r));
  for (const proto of Object.keys(received)) {
    if (JSON.stringify(received[proto]) !== JSON.stringify(saves)) {
      throw new Error(proto + ': got ' + JSON.stringify(received[proto]) + ', want ' + JSON.stringify(saves));
    }
  }
  socket.emit('task:watchTasks:cancel');
  socket.close();
  es.close();
  await gql.dispose();
  console.log('ok');
}

main().then(() => process.exit(0), (e) => { console.error(e.stack || String(e)); process.exit(1); });
