"""The article's client on long-polling only: connects, calls dating:eating and hears a broadcast.
netty-socketio without Connection: close on polling responses fails this at the namespace connect.

Usage: /usr/bin/python3 polling_only.py <url>
"""
import asyncio
import json
import sys

import socketio


async def main():
    sio = socketio.AsyncClient(reconnection=False)
    heard = asyncio.Queue()

    @sio.on('message')
    async def message(data):
        await heard.put(data)

    await sio.connect(sys.argv[1], transports=['polling'], wait_timeout=10)
    answer = await sio.call('dating:eating', {'food': 'steak'}, timeout=10)
    await sio.send('Hello guys. ')
    broadcast = await asyncio.wait_for(heard.get(), 10)
    r = {'transport': sio.transport(), 'answer': answer, 'broadcast': broadcast}
    await sio.disconnect()
    print('RESULT ' + json.dumps(r), flush=True)


asyncio.run(main())
