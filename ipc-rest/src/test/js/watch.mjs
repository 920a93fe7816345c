// Subscribes to an ipc-rest Server-Sent Events route with the `eventsource` npm client (the browser's
// EventSource API for Node) and prints, one line each: "open", "message <lastEventId> <data>" for each
// event handed to onmessage, "error" when the connection fails (the client then reconnects by itself,
// sending Last-Event-ID). Exits after <count> messages.
//   node watch.mjs <url> <count>
import { EventSource } from 'eventsource';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
let seen = 0;
const es = new EventSource(url);
es.onopen = () => console.log('open');
es.onmessage = (e) => {
  console.log(`message ${e.lastEventId} ${e.data}`);
  if (++seen >= count) {
    es.close();
    process.exit(0);
  }
};
es.onerror = () => console.log('error');
// The client's reconnect timer does not keep Node alive (it is unref'd): this does, for a minute at most.
setTimeout(() => {
  console.log('timeout');
  process.exit(2);
}, 60_000);
