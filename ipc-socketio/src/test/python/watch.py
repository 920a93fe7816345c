"""Watches task saves with python-socketio 5: one client subscribes to ids base+5..base+6 with
`task:watchTasks`, another only hears the `task:saved` broadcast; ids base+4..base+7 are put, the
watcher cancels, base+9 is put. Prints what each heard as one JSON line prefixed with RESULT, for
SocketIoStreamTest.

Usage: /usr/bin/python3 watch.py <url> <polling|websocket> <base>
"""
import asyncio
import json
import sys

import socketio

URL, MODE, BASE = sys.argv[1], sys.argv[2], int(sys.argv[3])
TIMEOUT = 10


async def connect(heard):
    sio = socketio.AsyncClient(reconnection=False)

    @sio.on('task:saved')
    async def saved(task):
        heard.append(task)

    await sio.connect(URL, transports=[MODE], wait_timeout=TIMEOUT)
    return sio


async def until(heard, n, what):
    """Returns once `heard` has `n` entries, checking as events come; fails after TIMEOUT."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while len(heard) < n:
        if loop.time() > deadline:
            raise AssertionError(what + ': ' + json.dumps(heard))
        await asyncio.sleep(0.005)


async def main():
    r = {'watcher': [], 'other': []}
    watcher = await connect(r['watcher'])
    other = await connect(r['other'])
    r['badFilter'] = await watcher.call('task:watchTasks', {'fromId': 'five'}, timeout=TIMEOUT)
    r['ack'] = await watcher.call('task:watchTasks', {'fromId': BASE + 5, 'toId': BASE + 6}, timeout=TIMEOUT)
    for i in range(BASE + 4, BASE + 8):
        await other.call('task:put', {'id': i, 'name': 't%d' % i}, timeout=TIMEOUT)
    await until(r['other'], 4, 'broadcasts to the other client')
    await until(r['watcher'], 2, 'the watch')
    r['cancelAck'] = await watcher.call('task:watchTasks:cancel', timeout=TIMEOUT)
    await other.call('task:put', {'id': BASE + 9, 'name': 't%d' % (BASE + 9)}, timeout=TIMEOUT)
    await until(r['other'], 5, 'the last broadcast')
    await until(r['watcher'], 3, 'the broadcast after cancelling')
    await watcher.disconnect()
    await other.disconnect()
    print('RESULT ' + json.dumps(r), flush=True)


asyncio.run(main())
