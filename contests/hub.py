"""Process-local fan-out for live rounds: the transport under `contests.events`.

Channels gives every socket its own channel-layer channel, and a group message is copied into each
one (the in-memory layer deep-copies it per socket and scans every channel on every receive).
With thousands of sockets that is where the time goes. Here each process has ONE channel on the
layer: the hub subscribes it to the groups its local sockets need, and delivers what arrives (or
what this process produced) to its sockets itself, as text serialised once.

The hub knows no group names and no message shapes; `contests.events` decides what goes where.
One hub per event loop (Daphne runs one loop per process; each test run gets a fresh loop).
"""

import asyncio
import contextlib
import contextvars
import logging
import os
import threading
import uuid
from collections.abc import Awaitable, Callable

from asgiref.sync import SyncToAsync
from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

# Tags messages this process put on the layer, so its own relay skips them.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

# A plain dict: each hub holds its loop, so weak keys would never be freed. Hubs of closed loops (one
# per test run; a server has a single loop) are dropped when the next hub is made.
_hubs: dict[asyncio.AbstractEventLoop, "Hub"] = {}
_hubs_lock = threading.Lock()


def event_loop() -> asyncio.AbstractEventLoop | None:
    """The loop that serves this process's sockets, seen from async code or from a sync_to_async thread."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    same_process = getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid()
    if loop is not None and same_process and loop.is_running() and not loop.is_closed():
        return loop
    return None


def call_soon(loop: asyncio.AbstractEventLoop, callback, *args) -> None:
    """Schedule `callback(*args)` on `loop` from any thread, in a fresh context (see `Hub.spawn`)."""
    loop.call_soon_threadsafe(callback, *args, context=contextvars.Context())


def cross_process() -> bool:
    """Whether the channel layer reaches other processes (channels_redis), not just this one."""
    layer = get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


class Subscriber:
    """What a socket offers the hub: `send_text` for broadcasts, `on_event` for messages it interprets."""

    async def send_text(self, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def on_event(self, message: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class Hub:
    """Local subscriptions, the relay from the channel layer, and per-key throttled timers."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.subscribers: dict[str, set[Subscriber]] = {}
        self.layer = get_channel_layer() if cross_process() else None
        self.channel: str | None = None
        self.relay_task: asyncio.Task | None = None
        self.layer_groups: dict[str, int] = {}
        self.on_message: Callable[[Hub, dict], Awaitable[None]] | None = None
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.last_run: dict[str, float] = {}
        self.tasks: set[asyncio.Task] = set()
        self.locks: dict[str, asyncio.Lock] = {}
        self.state: dict = {}  # per-loop state owned by callers (the live boards)

    @classmethod
    def get(cls, loop: asyncio.AbstractEventLoop | None = None) -> "Hub":
        loop = loop or asyncio.get_running_loop()
        with _hubs_lock:
            hub = _hubs.get(loop)
            if hub is None:
                for closed in [other for other in _hubs if other.is_closed()]:
                    del _hubs[closed]
                hub = _hubs[loop] = cls(loop)
            return hub

    # ------------------------------------------------------------ subscriptions

    async def subscribe(self, key: str, subscriber: Subscriber, *, layer_group: str | None = None) -> None:
        self.subscribers.setdefault(key, set()).add(subscriber)
        if layer_group and self.layer is not None:
            await self._ensure_relay()
            self.layer_groups[layer_group] = self.layer_groups.get(layer_group, 0) + 1
            if self.layer_groups[layer_group] == 1:
                await self.layer.group_add(layer_group, self.channel)

    async def unsubscribe(self, key: str, subscriber: Subscriber, *, layer_group: str | None = None) -> None:
        subs = self.subscribers.get(key)
        if subs is not None:
            subs.discard(subscriber)
            if not subs:
                del self.subscribers[key]
        if layer_group and self.layer is not None and layer_group in self.layer_groups:
            self.layer_groups[layer_group] -= 1
            if self.layer_groups[layer_group] <= 0:
                del self.layer_groups[layer_group]
                with contextlib.suppress(Exception):  # the relay's membership expires anyway
                    await self.layer.group_discard(layer_group, self.channel)

    def has(self, key: str) -> bool:
        return key in self.subscribers

    def keys(self, prefix: str) -> list[str]:
        return [k for k in self.subscribers if k.startswith(prefix)]

    # ------------------------------------------------------------ delivery

    async def send_text(self, key: str, text: str) -> int:
        """Write one serialised message to every local socket under `key`."""
        subs = list(self.subscribers.get(key, ()))
        for sub in subs:
            try:
                await sub.send_text(text)
            except Exception:  # a socket closing under us must not stop the others
                log.debug("send to %s failed", key, exc_info=True)
        return len(subs)

    async def send_event(self, key: str, message: dict) -> None:
        for sub in list(self.subscribers.get(key, ())):
            try:
                await sub.on_event(message)
            except Exception:
                log.exception("event %s for %s failed", message.get("type"), key)

    async def publish(self, layer_group: str, message: dict) -> None:
        """Put a message on the channel layer for the other processes (the only group_send)."""
        if self.layer is None:
            return
        try:
            await self.layer.group_send(layer_group, {**message, "origin": ORIGIN})
        except Exception:  # at-most-once: clients resume from the feed
            log.exception("group_send to %s failed", layer_group)

    def lock(self, key: str) -> asyncio.Lock:
        """One asyncio lock per key, so runs for the same key never interleave their deliveries."""
        return self.locks.setdefault(key, asyncio.Lock())

    def spawn(self, coro) -> asyncio.Task:
        """Run `coro` as a task of its own, in a fresh context: work scheduled from a database thread
        must not inherit that thread's asgiref state (it would refuse to run sync code, "would deadlock")."""
        task = self.loop.create_task(coro, context=contextvars.Context())
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("live task failed", exc_info=task.exception())

    # ------------------------------------------------------------ throttled timers

    def throttle(self, key: str, interval: float, run: Callable[[], Awaitable[None]], *, first: float = 0.0) -> None:
        """Run `run` soon, then at most once per `interval` seconds however often this is called.

        Calls while a run is scheduled are merged into it; the first call after a quiet period runs
        after `first` seconds (so simultaneous changes still share one run).
        """
        if key in self.timers:
            return
        since = self.loop.time() - self.last_run.get(key, float("-inf"))
        delay = max(first, interval - since)
        self.timers[key] = self.loop.call_later(delay, self._fire, key, run, context=contextvars.Context())

    def _fire(self, key: str, run: Callable[[], Awaitable[None]]) -> None:
        self.timers.pop(key, None)
        self.last_run[key] = self.loop.time()
        self.spawn(run())

    # ------------------------------------------------------------ relay from the channel layer

    async def _ensure_relay(self) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel()
            self.relay_task = self.loop.create_task(self._relay(), context=contextvars.Context())

    async def _relay(self) -> None:
        backoff = 0.1
        while True:
            try:
                message = await self.layer.receive(self.channel)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("channel layer receive failed; retrying")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5)
                continue
            if message.get("origin") == ORIGIN or self.on_message is None:
                continue
            try:
                await self.on_message(self, message)
            except Exception:
                log.exception("relayed %s failed", message.get("type"))
