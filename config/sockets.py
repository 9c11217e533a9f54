"""What every WebSocket consumer of the project shares: the close codes, the frame rate limit, the
plain frame loop and the direct frame writes.

The contest sockets (contests/consumers.py) and the lesson study socket (courses/study/consumers.py)
close with the same codes for the same reasons, so a client handles them in one way.
"""

import time

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from .live_server import daphne_protocol, send_text_now

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TAKEN_OVER = 4009  # a newer page of the same person took the socket's place


class TokenBucket:
    """`rate` frames a second on average, bursts of up to `burst`; every frame counts, malformed or not."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def retry_after_ms(self) -> int:
        return int((1 - self.tokens) / self.rate * 1000) + 1


async def read_frames(consumer, scope, receive, send) -> None:
    """Run `consumer` on a socket that has no channel to listen to: frames are read and dispatched in
    turn. Channels' own loop waits on the socket and the channel at once, with a new task and an
    `asyncio.wait` for every frame (some 7 µs of CPU a frame)."""
    from channels.exceptions import StopConsumer

    consumer.scope, consumer.channel_layer, consumer.base_send = scope, None, send
    try:
        while True:
            await consumer.dispatch(await receive())
    except StopConsumer:
        pass


class DirectConsumer(AsyncWebsocketConsumer):
    """A consumer whose frames skip Channels' per-frame layers: the contest sockets and the study
    socket send thousands of frames a second (acks, board frames)."""

    wire = None  # the Daphne connection, written to directly (config.live_server.send_text_now)

    async def dispatch(self, message):
        # Channels' own dispatch first hops to a thread to close stale database connections, for
        # every frame. Our database calls go through database_sync_to_async, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send(self, text_data=None, bytes_data=None, close=False):
        # Under Daphne a text frame goes straight to the open socket, without the session middleware's
        # wrapper and Daphne's reply dispatch, its frame built once per broadcast text.
        if text_data is not None and bytes_data is None and not close:
            if self.wire is None:
                self.wire = daphne_protocol(self.base_send) or False
            if self.wire and send_text_now(self.wire, text_data):
                return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
