// A socket.io-client v4 driven line by line, for the cluster tests (the same protocol as
// sio_events.py). Usage: node sio_events.js URL [TRANSPORTS]   (NODE_PATH: examples/interop/js/node_modules)
// Prints 'connected TRANSPORT', 'event NAME JSON-ARRAY-OF-ARGS' per event, 'ack ID JSON' per answered
// call ('error ID REASON' when none comes within 10 s); reads 'emit EVENT JSON', 'call ID EVENT JSON'
// and 'quit' from stdin. Exits 3 with 'connect-failed REASON' when it cannot connect within 10 s.
'use strict';
const { io } = require('socket.io-client');
const readline = require('readline');

const [url, transports] = process.argv.slice(2);
const TIMEOUT = 10000;
const say = (...parts) => process.stdout.write(parts.join(' ') + '\n');

const socket = io(url, {
  reconnection: false,
  timeout: TIMEOUT,
  ...(transports ? { transports: transports.split(',') } : {}),
});
socket.onAny((event, ...args) => say('event', event, JSON.stringify(args)));
socket.on('disconnect', () => say('disconnected'));
const failed = setTimeout(() => {
  say('connect-failed', 'timeout');
  process.exit(3);
}, TIMEOUT);
socket.once('connect_error', (e) => {
  say('connect-failed', e.message);
  process.exit(3);
});
socket.once('connect', () => {
  clearTimeout(failed);
  say('connected', socket.io.engine.transport.name);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const words = line.trim().split(' ');
    if (words[0] === 'quit') {
      lines.close();
    } else if (words[0] === 'emit') {
      socket.emit(words[1], JSON.parse(words.slice(2).join(' ')));
    } else if (words[0] === 'call') {
      socket.timeout(TIMEOUT).emit(words[2], JSON.parse(words.slice(3).join(' ')), (err, ...answer) => {
        if (err) {
          say('error', words[1], err.message);
        } else {
          say('ack', words[1], JSON.stringify(answer.length === 1 ? answer[0] : answer));
        }
      });
    }
  });
  // stdin closed (quit, or the test ended): leave cleanly.
  lines.on('close', () => {
    socket.disconnect();
    process.exit(0);
  });
});
