"""config/live_server.py: Daphne's writes go out at once when nothing is queued, in order, and the
process's garbage collection is tuned — installed exactly when the app is served by Daphne."""

import contextlib
import socket
import subprocess
import sys
from collections import deque

import pytest
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import tcp

from django.conf import settings

from config import live_server

pytestmark = pytest.mark.embedded  # conftest: not repeated in the PostgreSQL + Redis pass


class Reactor:
    """Records what a connection asks of the reactor."""

    def __init__(self):
        self.writers = set()

    def addWriter(self, writer):  # noqa: N802 - Twisted's interface
        self.writers.add(writer)

    def removeWriter(self, writer):  # noqa: N802
        self.writers.discard(writer)


@pytest.fixture
def pair(monkeypatch):
    monkeypatch.setattr(tcp.Connection, "write", live_server._write)
    ours, peer = socket.socketpair()
    ours.setblocking(False)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reactor = Reactor()
    conn = tcp.Connection(ours, None, reactor)
    conn.connected = 1
    yield conn, peer, reactor
    ours.close()
    peer.close()


def test_a_write_with_nothing_queued_is_sent_at_once(pair):
    conn, peer, reactor = pair
    conn.write(b'{"type":"answer.ack"}')
    assert peer.recv(100) == b'{"type":"answer.ack"}'
    assert reactor.writers == set()  # no trip through the reactor


def test_what_the_socket_does_not_take_is_buffered_and_later_writes_keep_their_order(pair):
    conn, peer, reactor = pair
    big = bytes(range(256)) * 4096  # 1 MiB: more than the socket takes at once
    conn.write(big)
    assert reactor.writers == {conn} and conn._tempDataLen > 0
    conn.write(b"tail")  # something is queued: this one waits its turn
    received = bytearray()
    peer.setblocking(False)
    while reactor.writers or len(received) < len(big) + 4:
        with contextlib.suppress(BlockingIOError):
            received += peer.recv(65536)
        if reactor.writers:
            conn.doWrite()
    assert bytes(received) == big + b"tail"


@pytest.mark.parametrize("imported", ["before the reactor runs", "inside the running reactor"])
def test_the_tuning_is_installed_inside_a_running_reactor_only(imported):
    """Run in a fresh interpreter, the app imported as Daphne does (its reactor installed, not yet
    running) or later, inside the running reactor: the app called outside a reactor changes nothing;
    the tuning is in place as the reactor starts, before any connection (a start storm's first
    connection does not pay for the full collection), or at the first connection after a late import."""
    probe = """
import gc, sys
import django
django.setup()  # the daphne app's checks install Twisted's asyncio reactor, as Daphne does
from twisted.internet import reactor, defer
from config import live_server

def state():
    return live_server.write_through_installed(), gc.get_threshold() == live_server.GC_THRESHOLDS

async def call(application):
    async def receive():
        return {"type": "websocket.disconnect", "code": 1000}
    async def send(message):
        pass
    scope = {"type": "websocket", "path": "/ws/nowhere/", "headers": [], "query_string": b""}
    try:
        await application(scope, receive, send)
    except Exception:
        pass  # no such route: only the tuning matters here

late = sys.argv[1] == "late"
if not late:
    from config.asgi import application
    import asyncio
    asyncio.run(call(application))  # outside the reactor, as in tests
outside = (live_server.served_by_twisted(), state())
def inside():
    from config.asgi import application  # the late import; already imported otherwise
    started = state()
    d = defer.ensureDeferred(call(application))
    d.addBoth(lambda _: print(outside, started, state()) or reactor.stop())
reactor.callWhenRunning(lambda: reactor.callLater(0, inside))
reactor.run()
"""
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
    late = imported != "before the reactor runs"
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe, "late" if late else "early"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    started = "(False, False)" if late else "(True, True)"
    assert result.stdout.strip().splitlines()[-1] == f"(False, (False, False)) {started} (True, True)"


def test_not_installed_in_this_test_process():
    assert not live_server.served_by_twisted()
    assert not live_server.write_through_installed()


def test_daphne_builds_capped_sockets_whatever_its_command_line_says():
    """What a client may send is capped (1009 beyond it, tested against a real Daphne in
    tests/contests/test_consumer_limits.py); what the server sends is not."""
    from daphne.ws_protocol import WebSocketFactory

    import config.asgi  # noqa: F401 - installs the cap, as Daphne's import of the app does
    from contests import frames

    assert live_server.MAX_FRAME_BYTES >= 4 * frames.MAX_CHARS  # every frame the app would read fits
    factory = WebSocketFactory(None)
    factory.setProtocolOptions(maxFramePayloadSize=1024 * 1024, maxMessagePayloadSize=1024 * 1024)  # Daphne's defaults
    assert (factory.maxFramePayloadSize, factory.maxMessagePayloadSize, factory.failByDrop) == (
        live_server.MAX_FRAME_BYTES,
        0,
        False,
    )
    assert isinstance(factory.buildProtocol(None), live_server.CappedWebSocketProtocol)


def test_the_deep_accept_queue_leaves_an_adopted_port_alone(monkeypatch):
    """`daphne --fd` adopts a socket someone else listened on: its port has no backlog to deepen."""
    seen = []
    monkeypatch.setattr(live_server, "_start_listening", lambda port: seen.append(port.backlog))
    adopted, own = tcp.Port(0, None), tcp.Port(0, None, backlog=50)
    adopted.backlog = None
    live_server._listen_deep(adopted)
    live_server._listen_deep(own)
    assert seen == [None, live_server.LISTEN_BACKLOG]


class Transport:
    def __init__(self):
        self.written = []

    def write(self, data):
        self.written.append(data)


class OpenSocket:
    """What send_text_now uses of a Daphne WebSocket connection that is open."""

    def __init__(self):
        from autobahn.websocket.protocol import TrafficStats, WebSocketServerFactory

        self.state = WebSocketProtocol.STATE_OPEN
        self.factory = WebSocketServerFactory()
        self._perMessageCompress = None
        self.send_queue = deque()
        self.transport = Transport()
        self.trafficStats = TrafficStats()
        self.prepared = []

    def sendPreparedMessage(self, message):  # noqa: N802 - autobahn's interface
        self.prepared.append(message)


def test_a_text_frame_is_written_as_autobahn_frames_it_once_for_every_socket():
    text = '{"type":"scoreboard.top","rows":[{"name":"张三"}]}'
    sockets = [OpenSocket(), OpenSocket()]
    for sock in sockets:
        assert live_server.send_text_now(sock, text) is True
    payload = text.encode()
    frame = bytes([0x81, len(payload)]) + payload  # FIN + text, unmasked, length under 126
    assert [s.transport.written for s in sockets] == [[frame], [frame]]
    assert sockets[0].transport.written[0] is sockets[1].transport.written[0]  # built once
    assert sockets[0].trafficStats.outgoingOctetsWireLevel == len(frame)


def test_a_socket_with_frames_queued_or_compression_goes_through_autobahn():
    queued, compressed = OpenSocket(), OpenSocket()
    queued.send_queue.append((b"earlier", False))
    compressed._perMessageCompress = object()
    for sock in (queued, compressed):
        assert live_server.send_text_now(sock, '{"type":"pong"}') is True
        assert sock.transport.written == [] and len(sock.prepared) == 1


def test_nothing_is_written_to_a_socket_that_is_not_open():
    sock = OpenSocket()
    sock.state = WebSocketProtocol.STATE_CLOSING
    assert live_server.send_text_now(sock, '{"type":"pong"}') is False
    assert sock.transport.written == [] and sock.prepared == []
