// Subscribes to `taskSaved` with the npm GraphQL clients, as a browser app or a Node service would: the
// graphql-ws client (GraphQL over WebSocket, graphql-transport-ws; Node 20 has no global WebSocket, so
// the `ws` package) and the graphql-sse client in distinct connections mode. The Java test puts tasks
// from..from+count-1 once both subscriptions are open on the server; then this script saves one more
// task with a mutation over the WebSocket (its token in connection_init's payload, so roles apply),
// waits until both clients heard it, and disposes of both. Prints what each heard as one JSON line
// prefixed with RESULT, for GraphqlNodeClientTest. Usage: node live.js <port> <from> <count> <token>
'use strict';
const WebSocket = require('ws');
const { createClient: createWsClient } = require('graphql-ws');
const { createClient: createSseClient } = require('graphql-sse');

const [port, fromArg, countArg, token] = process.argv.slice(2);
const from = Number(fromArg);
const count = Number(countArg);
const TIMEOUT = 20000;
const WATCH = 'subscription($from: Long) { taskSaved(fromId: $from) { id name } }';

// Resolves once `list` has `n` entries, checking as events come; rejects after TIMEOUT.
function until(list, n, what) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + TIMEOUT;
    const check = () => {
      if (list.length >= n) {
        resolve();
      } else if (Date.now() > deadline) {
        reject(new Error(what + ': ' + JSON.stringify(list)));
      } else {
        setTimeout(check, 5);
      }
    };
    check();
  });
}

function watch(client, label, heard, ends) {
  return client.subscribe(
    { query: WATCH, variables: { from } },
    {
      next: (result) => heard.push(result.errors ? { errors: result.errors } : result.data.taskSaved),
      error: (err) => ends.push({ client: label, error: err instanceof Error ? err.message : err }),
      complete: () => ends.push({ client: label, complete: true }),
    },
  );
}

async function main() {
  const r = { ws: [], sse: [], ends: [] };
  const ws = createWsClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  const sse = createSseClient({ url: `http://127.0.0.1:${port}/graphql`, retryAttempts: 0 });
  const stopWs = watch(ws, 'ws', r.ws, r.ends);
  const stopSse = watch(sse, 'sse', r.sse, r.ends);
  console.log('SUBSCRIBED');

  await until(r.ws, count, 'graphql-ws heard');
  await until(r.sse, count, 'graphql-sse heard');

  // A mutation over the same WebSocket: one result, then complete.
  const saved = await new Promise((resolve, reject) => {
    let result;
    ws.subscribe(
      { query: 'mutation($id: Long!) { putTask(id: $id, name: "from node") { id name } }', variables: { id: from + count } },
      { next: (x) => { result = x; }, error: reject, complete: () => resolve(result) },
    );
  });
  r.mutation = saved;
  await until(r.ws, count + 1, 'graphql-ws heard the mutation');
  await until(r.sse, count + 1, 'graphql-sse heard the mutation');

  stopWs();
  stopSse();
  // Ends seen while both were live: none expected (disposing reports none either).
  r.endsBeforeDispose = r.ends.slice();
  await ws.dispose();
  sse.dispose();
  console.log('RESULT ' + JSON.stringify(r));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
