// Subscribes to `taskSaved` with graphql-ws (WebSocket) and graphql-sse (distinct connections), then
// waits while the Java test closes the server: each subscription must end with `complete`, not an error.
// Prints how each ended as one JSON line prefixed with RESULT, for GraphqlNodeClientTest.
// Usage: node close.js <port>
'use strict';
const WebSocket = require('ws');
const { createClient: createWsClient } = require('graphql-ws');
const { createClient: createSseClient } = require('graphql-sse');

const [port] = process.argv.slice(2);
const TIMEOUT = 20000;
const WATCH = 'subscription { taskSaved { id name } }';

function watch(client, label, r) {
  return new Promise((resolve) => {
    client.subscribe(
      { query: WATCH },
      {
        next: (result) => r[label].push(result),
        error: (err) => { r.ends[label] = { error: err instanceof Error ? err.message : String(err.code || err) }; resolve(); },
        complete: () => { r.ends[label] = 'complete'; resolve(); },
      },
    );
  });
}

async function main() {
  const r = { ws: [], sse: [], ends: {} };
  const ws = createWsClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  const sse = createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 });
  const ended = Promise.all([watch(ws, 'ws', r), watch(sse, 'sse', r)]);
  console.log('SUBSCRIBED');
  await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('no end: ' + JSON.stringify(r))), TIMEOUT))]);
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
