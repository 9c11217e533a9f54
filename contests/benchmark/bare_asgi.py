"""The bare server of `manage.py bench_round --bare-daphne`: the same bare handling as
contests.benchmark.bare (no Django, no database, no channel layer), as an ASGI app served by Daphne
with the real app's transport tuning (config.live_server). Beside the `websockets` bare server it
shows what Daphne itself costs, and so how much of the gap to that server is the platform's own.

    BENCH_ROUND_SETUP=setup.json BENCH_ROUND_STORED=stored.json daphne contests.benchmark.bare_asgi:application

The answers it stored are written to BENCH_ROUND_STORED when the process exits.
"""

import asyncio
import atexit
import json
import os
from pathlib import Path

from config.live_server import cap_client_frames, cheap_handshakes, daphne_protocol, send_text_now, tuned

from .bare import Bare, stored_write


class Request:
    def __init__(self, scope):
        self.path = scope["path"]
        self.headers = {name.decode("latin-1").title(): value.decode("latin-1") for name, value in scope["headers"]}


class Socket:
    """What `Bare.handler` uses of a `websockets` connection, over ASGI's receive and send."""

    def __init__(self, scope, receive, send):
        self.request, self.receive, self._send = Request(scope), receive, send
        self.wire = None

    async def send(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})

    async def close(self, code: int) -> None:
        await self._send({"type": "websocket.close", "code": code})

    async def __aiter__(self):
        while True:
            event = await self.receive()
            if event["type"] == "websocket.disconnect":
                return
            if event.get("text"):
                yield event["text"]

    async def wait_closed(self) -> None:
        async for _text in self:
            pass

    def send_now(self, text: str) -> None:
        if self.wire is None:
            self.wire = daphne_protocol(self._send) or False
        if not (self.wire and send_text_now(self.wire, text)):
            asyncio.get_running_loop().create_task(self.send(text))


def broadcast(sockets, text: str) -> None:
    for socket in list(sockets):
        socket.send_now(text)


_setup = os.environ.get("BENCH_ROUND_SETUP", "")
bare = Bare(json.loads(Path(_setup).read_text(encoding="utf-8")), broadcast=broadcast) if _setup else None
if bare is not None and os.environ.get("BENCH_ROUND_STORED"):
    atexit.register(stored_write, bare, os.environ["BENCH_ROUND_STORED"])


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            pass
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "websocket" or bare is None:
        return
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await bare.handler(Socket(scope, receive, send))


cap_client_frames()  # as config/asgi.py: the same limits, accept queue and tuning as the real app
cheap_handshakes()
application = tuned(app)
