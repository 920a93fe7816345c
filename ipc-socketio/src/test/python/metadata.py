"""Call metadata with python-socketio 5: `task:get` carries an object after its request with a
traceparent (and an authorization the server must ignore); an unnamed `task:watchTasks` carries one
right after its filter. Prints the acks as one JSON line prefixed with RESULT, for
SocketIoCallMetadataTest.

Usage: /usr/bin/python3 metadata.py <url> <polling|websocket> <traceparent> <traceparent>
"""
import asyncio
import json
import sys

import socketio

URL, MODE, CALL_PARENT, WATCH_PARENT = sys.argv[1:5]
TIMEOUT = 10


async def main():
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(URL, transports=[MODE], wait_timeout=TIMEOUT)
    r = {}
    # A tuple sends its elements as the event's arguments.
    r['get'] = await sio.call(
        'task:get', ({'id': 1}, {'traceparent': CALL_PARENT, 'Authorization': 'Bearer per-call'}), timeout=TIMEOUT)
    r['watch'] = await sio.call('task:watchTasks', ({}, {'traceparent': WATCH_PARENT}), timeout=TIMEOUT)
    r['cancel'] = await sio.call('task:watchTasks:cancel', timeout=TIMEOUT)
    await sio.disconnect()
    print('RESULT ' + json.dumps(r))


asyncio.run(main())
