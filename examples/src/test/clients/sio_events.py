"""A python-socketio (sync Client) driven line by line, for the cluster tests.

Usage: python3 sio_events.py URL [TRANSPORTS]   (TRANSPORTS: e.g. 'polling'; default: the client's)

Prints, one line each, flushed: 'connected TRANSPORT', then 'event NAME JSON-ARRAY-OF-ARGS' for every
event the server sends, and 'ack ID JSON' for every answered call. Reads commands from stdin:
'emit EVENT JSON', 'call ID EVENT JSON' (waits for the ack, at most 10 s; 'error ID ...' if none),
'quit'. Exits 3 with 'connect-failed REASON' when it cannot connect, so a test can assert that
without waiting long. Uses the sync client with bounded timeouts everywhere: it never waits forever.
"""
import json
import sys
import threading

import socketio

url = sys.argv[1]
transports = sys.argv[2].split(',') if len(sys.argv) > 2 and sys.argv[2] else None
lock = threading.Lock()


def say(*parts):
    with lock:
        print(' '.join(parts), flush=True)


sio = socketio.Client(reconnection=False, request_timeout=5)


@sio.on('*')
def any_event(event, *args):
    say('event', event, json.dumps(list(args)))


@sio.event
def disconnect():
    say('disconnected')


try:
    sio.connect(url, transports=transports, wait_timeout=10)
except Exception as e:  # ConnectionError, or a request that failed on the way
    say('connect-failed', type(e).__name__, str(e).replace('\n', ' '))
    sys.exit(3)
say('connected', sio.transport())

for line in sys.stdin:
    command = line.strip().split(' ', 1)
    call_id = '-'
    try:
        if command[0] == 'quit':
            break
        if command[0] == 'emit':
            event, data = command[1].split(' ', 1)
            sio.emit(event, json.loads(data))
        elif command[0] == 'call':
            call_id, event, data = command[1].split(' ', 2)
            answer = sio.call(event, json.loads(data), timeout=10)
            say('ack', call_id, json.dumps(answer))
    except Exception as e:  # a timed-out call, a dropped connection: report it, keep reading
        say('error', call_id, type(e).__name__, str(e).replace('\n', ' '))
sio.disconnect()
