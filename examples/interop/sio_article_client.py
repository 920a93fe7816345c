"""The article's python-socketio client (AsyncClient), plus a check that the server's `msg` handler
answers 'resend ...' on the `message` event, as the article's Python server does."""
import asyncio
import sys

import socketio

url = sys.argv[1] if len(sys.argv) > 1 else 'http://127.0.0.1:8080'
transports = sys.argv[2].split(',') if len(sys.argv) > 2 and sys.argv[2] else None

sio = socketio.AsyncClient()
received = []
resent = None


@sio.event
async def connect():
    print(f'connected 2 {url}')


@sio.event
async def disconnect():
    print(f'disconnect from {url}')


@sio.on('message')
async def on_message(data):
    received.append(data)
    if isinstance(data, str) and data.startswith('resend ') and resent is not None:
        resent.set()


async def test(sio):
    await sio.send('Hello guys. ')
    await sio.send({'msg': 'use message channel 2 send data'})
    await sio.emit('msg', 'use msg channel 2 send data')


async def main():
    global resent
    resent = asyncio.Event()
    await sio.connect(url, transports=transports, wait_timeout=10)
    await test(sio)
    await asyncio.wait_for(resent.wait(), 10)
    await sio.disconnect()
    assert 'resend use msg channel 2 send data' in received, received
    assert {'a': 'messagetest'} in received, received
    print('ok', sio.transport() if hasattr(sio, 'transport') else '')


asyncio.run(main())
