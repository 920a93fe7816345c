"""Drives an ipc Socket.IO server with python-socketio 5 and prints what came back as one JSON line
prefixed with RESULT, for SocketIoPythonClientTest to assert on.

Usage: /usr/bin/python3 scenarios.py <url> <polling|websocket|default>
"""
import asyncio
import json
import sys

import socketio

URL, MODE = sys.argv[1], sys.argv[2]
TRANSPORTS = None if MODE == 'default' else [MODE]
TIMEOUT = 10


class Recorder:
    """Collects the events one client receives, so a test can wait for the next one."""

    def __init__(self):
        self.sio = socketio.AsyncClient(reconnection=False)
        self.queues = {}
        self.disconnected = asyncio.Event()
        for name in ('task:saved', 'message', 'login', 'reply'):
            self.sio.on(name, self._handler(name))
        self.sio.on('disconnect', self.disconnected.set)

    def _handler(self, name):
        queue = self.queues.setdefault(name, asyncio.Queue())

        async def handle(*args):
            await queue.put(list(args))
        return handle

    async def next(self, name):
        return await asyncio.wait_for(self.queues[name].get(), TIMEOUT)


def jsonable(value):
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return {'bytes': value.hex()}
    return value


async def main():
    r = {}
    a, b = Recorder(), Recorder()
    await a.sio.connect(URL, transports=TRANSPORTS, wait_timeout=TIMEOUT)
    await b.sio.connect(URL, transports=TRANSPORTS, wait_timeout=TIMEOUT)
    r['connected'] = a.sio.connected and b.sio.connected

    async def call(event, data=None):
        return jsonable(await a.sio.call(event, data, timeout=TIMEOUT))

    r['eating'] = await call('dating:eating', {'food': 'steak'})
    r['watchMovie'] = await call('dating:watchMovie', {'film': '星际穿越'})
    r['list'] = await call('task:list')
    r['get'] = await call('task:get', {'id': 2})
    r['missing'] = await call('task:get', {'id': 42})
    r['person'] = await call('person:get')
    r['blank'] = await call('dating:eating', {'food': ''})
    r['unknown'] = await call('no:such', {'x': 1})
    r['wrongShape'] = await call('dating:eating', 'steak')
    r['wrongType'] = await call('task:get', {'id': 'two'})

    r['put'] = await call('task:put', {'id': 6, 'name': 'task6'})
    r['savedA'] = await a.next('task:saved')
    r['savedB'] = await b.next('task:saved')

    await a.sio.send('Hello guys. ')
    r['messageA'] = await a.next('message')
    r['messageB'] = await b.next('message')
    await a.sio.emit('login', {'user': 'x'})
    r['loginA'] = await a.next('login')
    r['loginB'] = await b.next('login')
    await a.sio.emit('msg', 'use msg channel 2 send data')
    r['resend'] = await a.next('message')
    await a.sio.emit('reply', 'hi')
    r['reply'] = await a.next('reply')

    r['binary'] = await call('binary', bytes([0, 1, 2, 3, 4, 250, 255]))
    r['afterBadInput'] = await call('dating:eating', {'food': 'soup'})
    r['transport'] = a.sio.transport()
    await a.sio.disconnect()
    await b.sio.disconnect()
    r['disconnected'] = a.disconnected.is_set()
    print('RESULT ' + json.dumps(r, ensure_ascii=False), flush=True)


asyncio.run(main())
