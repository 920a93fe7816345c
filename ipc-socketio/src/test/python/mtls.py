"""Connects to an ipc Socket.IO server under mutual TLS with python-socketio 5's sync client, presenting
the test client certificate through its requests session (cert=(certfile, keyfile), verify=<ca>):
python-engineio hands both to requests for polling and to websocket-client's sslopt for WebSocket.
Then once without a certificate, which the server must refuse at the TLS handshake. Prints what each
got as one JSON line prefixed with RESULT, for SocketIoMutualTlsTest.

Usage: /usr/bin/python3 mtls.py <https url> <ca.pem> <client.pem> <client.key>
"""
import json
import sys

import requests
import socketio

URL, CA, CERT, KEY = sys.argv[1:5]
TIMEOUT = 10


def http_session(cert):
    http = requests.Session()
    http.verify = CA
    if cert:
        http.cert = (CERT, KEY)
    # Else a REQUESTS_CA_BUNDLE in the environment overrides the session's verify.
    http.trust_env = False
    return http


def session(transports):
    sio = socketio.Client(reconnection=False, http_session=http_session(True))
    sio.connect(URL, transports=transports, wait_timeout=TIMEOUT)
    r = {'eating': sio.call('dating:eating', {'food': 'soup'}, timeout=TIMEOUT),
         'transport': sio.transport()}
    sio.disconnect()
    return r


def without_certificate():
    sio = socketio.Client(reconnection=False, http_session=http_session(False))
    try:
        sio.connect(URL, transports=['polling'], wait_timeout=TIMEOUT)
    except socketio.exceptions.ConnectionError:
        return 'refused'
    sio.disconnect()
    return 'connected'


r = {'polling': session(['polling']),
     'websocket': session(['websocket']),
     'withoutCertificate': without_certificate()}
print('RESULT ' + json.dumps(r), flush=True)
