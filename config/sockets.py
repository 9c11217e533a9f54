"""What every WebSocket consumer of the project shares: the close codes, the frame rate limit and the
plain frame loop.

The contest sockets (contests/consumers.py) and the lesson study socket (courses/study/consumers.py)
close with the same codes for the same reasons, so a client handles them in one way.
"""

import time

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
