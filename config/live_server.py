"""Limits and tuning of the Daphne process for live rounds.

A cap on what a client sends, installed by `cap_client_frames()` when config/asgi.py is imported
(Daphne imports the app before it builds its WebSocket factory). Autobahn buffers a message whole
before the app sees it, and Daphne's limits (1 MiB a frame and a message) apply to what the server
sends too: a client could make the process buffer a megabyte per socket for a frame the app refuses
anyway (contests.frames reads at most 16,000 characters), while a board snapshot of some 4,500 rows
could not be sent at all. Here a client's frame, and a message over all its fragments, may hold at
most MAX_FRAME_BYTES: autobahn reads the length in a frame's header, so a larger one closes the
socket with 1009 (message too big) before its payload is buffered. What the server sends is not
limited.

The tuning below is installed by `tuned()` (config/asgi.py) when Twisted's reactor starts (Daphne), or
at the first connection served by a reactor started earlier; never in tests or management commands.

Both were measured with `manage.py bench_round` (docs/PERFORMANCE.md): 2,000 contestants answering
1,000 times a second while 2,000 viewers watch the board, on two cores.

Write-through. Twisted never sends in `transport.write`: it buffers the bytes and registers the
socket for writing, sends when the reactor reports it writable, and unregisters it again. Under
Daphne's asyncio reactor that is two `epoll_ctl` calls and an extra loop callback per message, and
a live board sends ten thousand small frames a second: a quarter of the server's time went there.
Here a write on a plain (non-TLS) connection with nothing queued is sent at once; whatever the
socket does not take, and every write while something is queued, goes through Twisted's own
buffering as before, so order and back-pressure are unchanged.

Garbage collection. With thousands of sockets open, a full (generation 2) collection walks millions
of objects and stops the process for about 0.4 s; with the default thresholds that happened every
few seconds under load, and every acknowledgement and board frame waited for it. What was loaded at
start-up is frozen out of collections, and the thresholds make young collections rarer (most
objects are freed by reference counting anyway) and full ones a matter of many minutes.
"""

import functools
import gc
import pprint
import sys

import txaio
from autobahn.websocket import protocol as autobahn_protocol
from autobahn.websocket.protocol import WebSocketServerFactory
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet import tcp

from django.conf import settings

GC_THRESHOLDS = (50_000, 20, 10)

# Every frame the app reads fits: contests.frames.MAX_CHARS characters of at most 4 bytes in UTF-8.
MAX_FRAME_BYTES = 64 * 1024

_set_protocol_options = WebSocketServerFactory.setProtocolOptions


class CappedWebSocketProtocol(WebSocketProtocol):
    """Daphne's protocol, refusing a client's message (all its fragments) over MAX_FRAME_BYTES with 1009
    as soon as a frame header says so."""

    max_incoming = MAX_FRAME_BYTES

    def onMessageFrameBegin(self, length: int) -> None:  # noqa: N802 - autobahn's interface
        super().onMessageFrameBegin(length)
        if not self.failedByMe and self.message_data_total_length > self.max_incoming:
            self.wasMaxMessagePayloadSizeExceeded = True
            self._fail_connection(self.CLOSE_STATUS_CODE_MESSAGE_TOO_BIG, f"message over {self.max_incoming} octets")


def _set_capped_options(self, **options) -> None:
    given = options.get("maxFramePayloadSize")
    options["maxFramePayloadSize"] = min(given, MAX_FRAME_BYTES) if given else MAX_FRAME_BYTES
    options["maxMessagePayloadSize"] = 0  # limits sending too; incoming messages are capped above
    options["failByDrop"] = False  # close with a code the client sees (1009), not a dropped connection
    _set_protocol_options(self, **options)


def cap_client_frames() -> None:
    """Daphne's WebSocket factory builds capped protocols, whatever its command line says."""
    WebSocketFactory.protocol = CappedWebSocketProtocol
    WebSocketFactory.setProtocolOptions = _set_capped_options


def _pformat_when_debugging(value) -> str:
    if txaio.get_global_log_level() in ("debug", "trace"):
        return pprint.pformat(value)
    return "(autobahn debug logging is off)"


def _highlight_when_debugging(original):
    """Autobahn colours type names and values for its debug lines (`hltype`, `hlval`, with click)
    before the logger sees the level: per handshake and per frame sent, for lines that are off."""

    def highlight(*args, **kwargs) -> str:
        if txaio.get_global_log_level() in ("debug", "trace"):
            return original(*args, **kwargs)
        return ""

    return highlight


def _listen_deep(self) -> None:
    # A port adopted with `daphne --fd` has no backlog of its own: whoever opened it chose the queue.
    if self.backlog is not None:
        self.backlog = max(self.backlog, LISTEN_BACKLOG)
    _start_listening(self)


# Twisted listens with a queue of 50 connections. At a round's start thousands of consoles connect
# within a second: the kernel dropped the rest and their clients retried after 1 s, 3 s, 7 s.
LISTEN_BACKLOG = 4096  # the kernel caps it at net.core.somaxconn
_start_listening = tcp.Port.startListening


def cheap_handshakes() -> None:
    """At a start storm every connection counts. Autobahn pretty-prints each connection's options and
    transport for a debug line that is off (a third of a millisecond a connection), and colours names
    and values for more of them on every handshake and frame; that is skipped unless its debug logging
    is on. And Daphne's listening sockets get a deep accept queue."""
    autobahn_protocol.pformat = _pformat_when_debugging
    if not getattr(autobahn_protocol.hltype, "quiet", False):
        for name in ("hltype", "hlval"):
            quiet = _highlight_when_debugging(getattr(autobahn_protocol, name))
            quiet.quiet = True
            setattr(autobahn_protocol, name, quiet)
    tcp.Port.startListening = _listen_deep


_buffered_write = tcp.Connection.write


def _write(self, data: bytes) -> None:
    if (
        data
        and not self.TLS
        and self.connected
        and not self.disconnecting
        and not self._writeDisconnected
        and not self._tempDataLen
        and not self.dataBuffer
    ):
        sent = self.writeSomeData(data)
        if isinstance(sent, int) and sent > 0:  # an exception (connection lost) is left to the reactor
            if sent == len(data):
                return
            data = data[sent:]
    _buffered_write(self, data)


def install(*, write_through: bool = True, gc_tuning: bool = True) -> None:
    if write_through:
        tcp.Connection.write = _write
    if gc_tuning:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)


# ------------------------------------------------------------------ frames written straight to the socket


def daphne_protocol(send) -> WebSocketProtocol | None:
    """The Daphne WebSocket connection behind a consumer's ASGI `send`, or None when the consumer is
    not served by Daphne (tests' communicators). Channels' session middleware wraps `send` only to
    save sessions on HTTP responses; Daphne's own `send` is `partial(Server.handle_reply, protocol)`."""
    while hasattr(getattr(send, "__self__", None), "real_send"):  # channels.sessions.InstanceSessionWrapper
        send = send.__self__.real_send
    if isinstance(send, functools.partial) and send.args and isinstance(send.args[0], WebSocketProtocol):
        return send.args[0]
    return None


_last_text: str | None = None
_last_frame = None


def send_text_now(protocol: WebSocketProtocol, text: str) -> bool:
    """Write a text frame to an open Daphne WebSocket now; False (nothing sent) when it is not open.

    What `send({"type": "websocket.send", "text": …})` ends in, without the layers on the way (the
    session middleware's check, Daphne's reply dispatch, the UTF-8 encoding and framing per socket):
    a broadcast hands the same str object to every socket, and its frame is built once
    (autobahn's prepared message) and written to each. Order is kept: both paths write at once."""
    global _last_text, _last_frame
    if protocol.state != WebSocketProtocol.STATE_OPEN:
        return False
    if text is not _last_text:
        _last_frame = protocol.factory.prepareMessage(text.encode())
        _last_text = text
    if protocol._perMessageCompress is None and not protocol.send_queue:
        # What autobahn's sendData does for an unchopped frame with nothing queued, without the debug
        # line whose arguments it formats for every frame even when debug logging is off.
        protocol.transport.write(_last_frame.payloadHybi)
        protocol.trafficStats.outgoingOctetsWireLevel += len(_last_frame.payloadHybi)
    else:
        protocol.sendPreparedMessage(_last_frame)
    return True


def profile(path: str) -> None:
    """Profile this process's CPU time in every thread (yappi, a development dependency) and write a
    pstats file to `path` when it exits: `python -m pstats path`. For benchmarks only."""
    import atexit

    import yappi

    yappi.set_clock_type("cpu")
    yappi.start(builtins=True)

    def dump() -> None:
        yappi.stop()
        yappi.get_func_stats().save(path, type="pstat")

    atexit.register(dump)


def count_queries(path: str) -> None:
    """Count the statements this process sends to the database (every connection, every thread) and
    write the count to `path` whenever the process gets SIGUSR1 (bench_round reads it around the
    start storm). For benchmarks only."""
    import signal
    from pathlib import Path

    from django.db import connections
    from django.db.backends.signals import connection_created

    counted = [0]

    def counter(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    def install(sender=None, connection=None, **kwargs) -> None:
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(install, weak=False)
    for connection in connections.all(initialized_only=True):
        install(connection=connection)
    signal.signal(signal.SIGUSR1, lambda signum, frame: Path(path).write_text(str(counted[0])))


def write_through_installed() -> bool:
    return tcp.Connection.write is _write


def served_by_twisted() -> bool:
    reactor = sys.modules.get("twisted.internet.reactor")
    return bool(reactor is not None and getattr(reactor, "running", False))


def tuned(app):
    """`app`, installing the tuning the first time it is called inside a running Twisted reactor."""
    checked = False
    if settings.LIVE_QUERY_COUNT:  # now, in the main thread, before anyone may ask for the count
        count_queries(settings.LIVE_QUERY_COUNT)

    def check() -> None:
        nonlocal checked
        if not checked and served_by_twisted():  # outside a reactor (tests, commands): nothing, and ask again
            checked = True
            install(write_through=settings.LIVE_WRITE_THROUGH, gc_tuning=settings.LIVE_GC_TUNING)
            if settings.LIVE_PROFILE:
                profile(settings.LIVE_PROFILE)

    # Daphne installs its reactor before it imports the app: the tuning (a full collection of all
    # that was loaded, 0.1 s) runs as the reactor starts, not at a start storm's first connection.
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is not None and not getattr(reactor, "running", False):
        reactor.callWhenRunning(check)

    async def application(scope, receive, send):
        if not checked:
            check()
        return await app(scope, receive, send)

    return application
