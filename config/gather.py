"""Gathered database work: calls that arrive while a batch is being served are served together.

At a round's start thousands of sockets connect within a second, and each needs the same few reads
(its session and user, its entry, its hello). One database thread serving them one by one spends
most of its time compiling the same statements again. Here each kind of work has one gatherer per
event loop: the first call is served at once, and every call made while a batch is in the database
thread waits for the next batch, which `serve` handles with one statement per table. An idle server
still serves a lone call at once; a busy one serves larger batches (the answer writer's idea,
contests/writer.py).

`serve(items)` runs in the database thread and returns one outcome per item, in order. If it raises,
every item of that batch is served again alone, so one item that fails costs only its own caller
(who gets the exception); the others are served as if nothing happened.
"""

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async

log = logging.getLogger(__name__)

# One registry per event loop (Daphne runs one; each test run gets a fresh one). Gatherers of
# closed loops are dropped when the next one is made.
_gatherers: dict[tuple[asyncio.AbstractEventLoop, str], "Gatherer"] = {}
_lock = threading.Lock()


class Gatherer:
    def __init__(self, loop: asyncio.AbstractEventLoop, serve: Callable[[list], list], max_batch: int):
        self.loop, self.serve, self.max_batch = loop, serve, max_batch
        self.queue: list[tuple[Any, asyncio.Future]] = []
        self.running = False
        self.task: asyncio.Task | None = None

    async def submit(self, item):
        """`serve`'s outcome for `item`, served with whatever else is waiting."""
        future = self.loop.create_future()
        self.queue.append((item, future))
        if not self.running:
            self.running = True
            # A fresh context: the drain outlives this caller and must not carry its asgiref state.
            self.task = self.loop.create_task(self._drain(), context=contextvars.Context())
        return await future

    def _serve_apart(self, items: list) -> list:
        try:
            outcomes = self.serve(items)
            if len(outcomes) != len(items):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(items)} items")
            return outcomes
        except Exception as exc:
            if len(items) == 1:
                return [exc]
            log.warning("a gathered batch of %d failed; serving it item by item", len(items), exc_info=True)
        return [outcome for item in items for outcome in self._serve_apart([item])]

    async def _drain(self) -> None:
        batch: list[tuple[Any, asyncio.Future]] = []
        try:
            while self.queue:
                batch, self.queue = self.queue[: self.max_batch], self.queue[self.max_batch :]
                outcomes = await database_sync_to_async(self._serve_apart)([item for item, _f in batch])
                for (_item, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, Exception):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
                batch = []
        except BaseException as exc:
            # Nobody may wait forever: every caller still waiting gets the failure.
            failure = exc if isinstance(exc, Exception) else RuntimeError("gathered batch cancelled")
            for _item, future in batch + self.queue:
                if not future.done():
                    future.set_exception(failure)
            self.queue = []
            if not isinstance(exc, Exception):
                raise
            log.exception("a gatherer failed")
        finally:
            self.running = False


def gatherer(name: str, serve: Callable[[list], list], *, max_batch: int = 500) -> Gatherer:
    """This event loop's gatherer called `name` (made with `serve` the first time)."""
    loop = asyncio.get_running_loop()
    with _lock:
        found = _gatherers.get((loop, name))
        if found is None:
            for key in [key for key in _gatherers if key[0].is_closed()]:
                del _gatherers[key]
            found = _gatherers[(loop, name)] = Gatherer(loop, serve, max_batch)
        return found


async def gathered(name: str, serve: Callable[[list], list], item, *, max_batch: int = 500):
    """`serve([item, …])`'s outcome for `item`, gathered with the calls to `name` waiting beside it."""
    return await gatherer(name, serve, max_batch=max_batch).submit(item)


class Spacing:
    """The group-commit writers' pacing (contests/writer.py, courses/study/writer.py): under load a
    batch is taken no sooner than `gap()` seconds after the previous one was, unless `full` items
    wait; an idle writer takes a lone item at once. A batch costs about the same whatever its size, so
    a busy writer that took whatever had arrived stored a few items at a time, at twice the CPU per
    item (docs/PERFORMANCE.md)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gap: Callable[[], float], full: int):
        self.loop, self.gap, self.full = loop, gap, full
        self.last_start = float("-inf")  # when the last batch was taken (loop time)

    async def next_batch(self, waiting: int) -> None:
        """Return when the next batch may be taken, with `waiting` items queued."""
        if waiting < self.full:
            wait = self.last_start + self.gap() - self.loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        self.last_start = self.loop.time()
