"""Connects to an ipc Socket.IO server that authenticates, with python-socketio 5 and the handshake's
auth={'token': ...}: no token, a bad token, a reader's and a writer's; prints what each got as one JSON
line prefixed with RESULT, for SocketIoAuthTest.

Usage: /usr/bin/python3 auth.py <url> <readerToken> <writerToken> <badToken>
"""
import asyncio
import json
import sys

import socketio

URL, READER, WRITER, BAD = sys.argv[1:5]
TIMEOUT = 10


async def session(token, actions):
    sio = socketio.AsyncClient(reconnection=False)
    refused = []

    @sio.event
    async def connect_error(data):
        # The server's connect error payload: {'message': 'invalid credentials'}.
        refused.append(data)

    try:
        await sio.connect(URL, transports=['websocket'], wait_timeout=TIMEOUT,
                          auth=None if token is None else {'token': token})
    except socketio.exceptions.ConnectionError as e:
        await sio.disconnect()
        return {'connectError': refused[0]['message'] if refused else str(e)}
    r = {}
    for key, event, data in actions:
        r[key] = await sio.call(event, data, timeout=TIMEOUT)
    await sio.disconnect()
    return r


async def main():
    r = {}
    r['none'] = await session(None, [('list', 'task:list', None),
                                     ('put', 'task:put', {'id': 7, 'name': 'anonymous'})])
    r['bad'] = await session(BAD, [])
    r['reader'] = await session(READER, [('put', 'task:put', {'id': 7, 'name': 'reader'}),
                                         ('get', 'task:get', {'id': 7})])
    r['writer'] = await session(WRITER, [('put', 'task:put', {'id': 7, 'name': 'writer'}),
                                         ('get', 'task:get', {'id': 7})])
    print('RESULT ' + json.dumps(r), flush=True)


asyncio.run(main())
