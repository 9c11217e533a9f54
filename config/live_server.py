"""Tuning of the Daphne process for live rounds, installed by `tuned()` (config/asgi.py) at the first
connection when the app is served by Twisted's reactor (Daphne), never in tests or management commands.

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

import gc
import sys

from twisted.internet import tcp

from django.conf import settings

GC_THRESHOLDS = (50_000, 20, 10)

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


def write_through_installed() -> bool:
    return tcp.Connection.write is _write


def served_by_twisted() -> bool:
    reactor = sys.modules.get("twisted.internet.reactor")
    return bool(reactor is not None and getattr(reactor, "running", False))


def tuned(app):
    """`app`, installing the tuning the first time it is called inside a running Twisted reactor."""
    checked = False

    async def application(scope, receive, send):
        nonlocal checked
        if not checked:
            checked = True
            if served_by_twisted():
                install(write_through=settings.LIVE_WRITE_THROUGH, gc_tuning=settings.LIVE_GC_TUNING)
        return await app(scope, receive, send)

    return application
