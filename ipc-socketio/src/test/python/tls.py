"""Connects to an ipc Socket.IO server over TLS (https:// and wss://) with python-socketio 5, trusting
the test CA: the sync client through a requests session with verify=<ca> (polling, then WebSocket
through websocket-client's ca_certs), and the asyncio client through an aiohttp session whose
connector trusts the CA. Prints what each got as one JSON line prefixed with RESULT, for SocketIoTlsTest.

Usage: /usr/bin/python3 tls.py <https url> <ca.pem>
"""
import asyncio
import json
import ssl
import sys

import aiohttp
import requests
import socketio

URL, CA = sys.argv[1:3]
TIMEOUT = 10


def sync_session(transports):
    http = requests.Session()
    http.verify = CA
    # Else a REQUESTS_CA_BUNDLE in the environment overrides the session's verify.
    http.trust_env = False
    sio = socketio.Client(reconnection=False, http_session=http)
    sio.connect(URL, transports=transports, wait_timeout=TIMEOUT)
    r = {'eating': sio.call('dating:eating', {'food': 'soup'}, timeout=TIMEOUT),
         'get': sio.call('task:get', {'id': 2}, timeout=TIMEOUT),
         'transport': sio.transport()}
    sio.disconnect()
    return r


async def async_session(transports):
    context = ssl.create_default_context(cafile=CA)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
        sio = socketio.AsyncClient(reconnection=False, http_session=http)
        await sio.connect(URL, transports=transports, wait_timeout=TIMEOUT)
        r = {'eating': await sio.call('dating:eating', {'food': 'soup'}, timeout=TIMEOUT),
             'get': await sio.call('task:get', {'id': 2}, timeout=TIMEOUT),
             'transport': sio.transport()}
        await sio.disconnect()
        return r


def untrusted():
    """Without the CA the server's certificate is not trusted: the connect fails."""
    http = requests.Session()
    http.trust_env = False
    sio = socketio.Client(reconnection=False, http_session=http)
    try:
        sio.connect(URL, transports=['polling'], wait_timeout=TIMEOUT)
    except socketio.exceptions.ConnectionError as e:
        return 'refused'
    sio.disconnect()
    return 'connected'


r = {'syncPolling': sync_session(['polling']),
     'syncWebsocket': sync_session(['websocket']),
     'asyncWebsocket': asyncio.run(async_session(['websocket'])),
     'untrusted': untrusted()}
print('RESULT ' + json.dumps(r), flush=True)
