// Cross-protocol: with a socket.io-client connected, put a task over gRPC (Python grpcio), then see its
// broadcast on Socket.IO and read it back over REST, GraphQL and a Socket.IO ack.
// Usage: node cross.js SOCKETIO_URL GRPC_ADDRESS REST_URL GRAPHQL_URL
'use strict';
const { io } = require('socket.io-client');
const { execFileSync } = require('child_process');
const path = require('path');

const [sioUrl, grpcAddress, restUrl, graphqlUrl] = process.argv.slice(2);
const TIMEOUT = 10000;
const id = 7000 + Math.floor(Math.random() * 1000);
const name = 'cross ' + id;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function expectEqual(what, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(what + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
  }
}

async function main() {
  const socket = io(sioUrl, { transports: ['websocket'], reconnection: false, timeout: TIMEOUT });
  await within(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  }), 'connect');
  const saved = within(new Promise((resolve) => {
    socket.on('task:saved', (task) => { if (task && task.id === id) resolve(task); });
  }), 'task:saved broadcast');

  execFileSync('/usr/bin/python3', [path.join(__dirname, '..', 'grpc_put.py'), grpcAddress, String(id), name],
    { stdio: ['ignore', 'pipe', 'inherit'], timeout: TIMEOUT });

  expectEqual('task:saved broadcast', await saved, { id, name });

  const rest = await fetch(restUrl + '/tasks/' + id);
  expectEqual('REST GET /tasks/' + id, await rest.json(), { id, name });

  const gql = await fetch(graphqlUrl + '/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query: `{ task(id: ${id}) { id name } }` }),
  });
  expectEqual('GraphQL task(id)', await gql.json(), { data: { task: { id, name } } });

  const ack = await within(new Promise((resolve) => socket.emit('task:get', { id }, resolve)), 'task:get ack');
  expectEqual('Socket.IO task:get', ack, { id, name });
  socket.disconnect();
  console.log('ok');
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
