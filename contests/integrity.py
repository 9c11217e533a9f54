"""Integrity signals of one console: leaving the page (window blur, tab hidden) and pasting, counted
per entry for organisers and the track's chief judge.

Counting is cheap whatever a client sends: each console keeps its signals in memory (`SignalTally`)
and stores them with one UPDATE at most every `CONTEST_SIGNAL_FLUSH_SECONDS` (5 s) and when the
socket ends (`services.entry_signals_add`). Only `SIGNAL_BURST` signals count at once and then one
every `1 / SIGNAL_RATE` seconds, so a flood of frames (itself limited by the socket's rate limit)
moves no counter by more than a person could. No frame carries a count: each is one event.

The time away is at least the server's own measure between `left` and `returned` on this socket,
so a page cannot report less than that; the page's `away_ms` counts when larger (the page left while
the socket was down and sends both on reconnect), capped by `frames.MAX_AWAY_MS`.
Signals come from the page: a modified browser can hold them back, so they are hints for the
invigilators, not proof.
"""

import time
from dataclasses import dataclass

from django.conf import settings

from config.sockets import TokenBucket

from .frames import MAX_AWAY_MS, Signal

SIGNAL_RATE, SIGNAL_BURST = 0.5, 10


def flush_seconds() -> float:
    return getattr(settings, "CONTEST_SIGNAL_FLUSH_SECONDS", 5.0)


@dataclass(frozen=True)
class SignalCounts:
    """What a flush adds to an entry's counters."""

    left: int = 0
    away_seconds: int = 0
    pastes: int = 0

    def __bool__(self) -> bool:
        return bool(self.left or self.away_seconds or self.pastes)


class SignalTally:
    """One socket's signals not yet stored."""

    def __init__(self, rate: float = SIGNAL_RATE, burst: int = SIGNAL_BURST):
        self.bucket = TokenBucket(rate, burst)
        self.left_at: float | None = None  # monotonic time of the `left` this socket saw
        self.left = self.away_ms = self.pastes = 0

    def add(self, signal: Signal, now: float | None = None) -> bool:
        """Count one signal; False when it was not counted (over the limit, or a repeat)."""
        now = time.monotonic() if now is None else now
        if signal.kind == "left" and self.left_at is not None:
            return False  # blur and visibilitychange both fire: one absence
        if not self.bucket.take():
            return False
        if signal.kind == "paste":
            self.pastes += 1
        elif signal.kind == "left":
            self.left += 1
            self.left_at = now
        else:
            if self.left_at is None and signal.away_ms is None:
                return False
            # The server's own measure when it saw the page leave, so a page cannot report less; the
            # page's own when larger (it left while the socket was down, and sends both on reconnect).
            measured = int((now - self.left_at) * 1000) if self.left_at is not None else 0
            away = max(measured, signal.away_ms or 0)
            self.left_at = None
            self.away_ms += min(away, MAX_AWAY_MS)
        return True

    def take(self) -> SignalCounts:
        """The counts to store, and start again (the away time rounds to whole seconds, the rest kept)."""
        counts = SignalCounts(self.left, self.away_ms // 1000, self.pastes)
        self.left = self.pastes = 0
        self.away_ms %= 1000
        return counts
