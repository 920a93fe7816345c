"""Calls the Library service (dev.ipc.core.testing.MemoryLibrary) of an ipc Socket.IO server with
python-socketio 5 and acks, and prints every ack as one JSON line prefixed with RESULT, for
SocketIoPythonClientTest to assert on the JSON forms of every type.

Usage: /usr/bin/python3 library.py <url> <polling|websocket|default>
"""
import asyncio
import json
import sys

import socketio

URL, MODE = sys.argv[1], sys.argv[2]
TRANSPORTS = None if MODE == 'default' else [MODE]
TIMEOUT = 10

with open('../resources/library-fixtures.json', encoding='utf-8') as f:
    FIXTURES = json.load(f)
BOOK, EDITION = FIXTURES['BOOK'], FIXTURES['EDITION']


def acked(value):
    # python-socketio's call() returns a tuple when the ack has several arguments, else the one.
    return list(value) if isinstance(value, tuple) else [value]


async def main():
    r = {}
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(URL, transports=TRANSPORTS, wait_timeout=TIMEOUT)

    async def call(event, data):
        return acked(await sio.call(event, data, timeout=TIMEOUT))

    r['add'] = await call('library:add', BOOK)
    r['get'] = await call('library:get', {'id': BOOK['id']})
    await call('library:add', {'id': 8, 'title': 'Leaves of Grass', 'genre': 'POETRY'})
    r['search'] = await call('library:search', {'text': '', 'genre': 'NOVEL', 'limit': 10})
    r['badEnum'] = await call('library:search', {'text': '', 'genre': 'HORROR', 'limit': 10})
    r['put'] = await call('library:put', {'id': 9, 'book': {'id': 9, 'title': 'Cosmos', 'genre': 'SCIENCE'}})
    r['remove'] = await call('library:remove', {'id': 9})
    r['echo'] = await call('library:echo', EDITION)
    r['echoEmpty'] = await call('library:echo', {})
    r['blank'] = await call('library:add', dict(BOOK, id=10, title=' '))
    r['wrongType'] = await call('library:echo', {'pages': 'many'})
    r['badBytes'] = await call('library:add', dict(BOOK, id=11, cover='not base64!'))
    await sio.disconnect()
    print('RESULT ' + json.dumps(r, ensure_ascii=False), flush=True)


asyncio.run(main())
