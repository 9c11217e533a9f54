"""The transport of live rounds: how a message reaches this process's sockets and the other processes.

Channels gives every socket its own channel-layer channel, and a group message is copied into each
one (the in-memory layer deep-copies it per socket and scans every channel on every receive).
With thousands of sockets that is where the time goes. Here each process has ONE channel on the
layer: the hub subscribes it to the groups its local sockets need, and delivers what arrives (or
what this process produced) to its sockets itself, as text serialised once.

The hub knows no group names and no message shapes. `contests.events` says what is sent where and
hands it to `deliver`; every message meant for this process's sockets, produced here or relayed
from another process, goes to the one handler registered with `handle_with` (the fan-out,
`contests.fanout.receive`, wired in `ContestsConfig.ready`). Code without an event loop (commands,
shells, sync tests) reaches the other processes through one publisher thread.
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
from typing import ClassVar

from asgiref.sync import SyncToAsync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from django.conf import settings

log = logging.getLogger(__name__)

# Tags messages this process put on the layer, so its own relay skips them.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

# The relay's receive retries while the channel layer is unreachable: the spacing doubles from the
# first to the last and stays there, so the relay is back in its groups within about a second of
# Redis's return however long it was away (a longer cap left the groups unjoined for seconds more,
# and takeovers sent meanwhile never reached this process).
RELAY_RETRY_FIRST = 0.1
RELAY_RETRY_MAX = 1.0
# A cancelled receive is cancelled again this often until it ends (`Hub._receive`).
RECEIVE_CANCEL_AGAIN = 0.5
# The one message the hub makes itself: the relay is in its groups again after the layer was away.
REJOINED = "layer.rejoined"

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


def broadcast_slice() -> int:
    """Sockets written by one broadcast between two turns of the event loop (0: all at once)."""
    return settings.LIVE_BROADCAST_SLICE


def cross_process() -> bool:
    """Whether the channel layer reaches other processes (channels_redis), not just this one."""
    layer = get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


class Subscriber:
    """What a socket offers the hub: `send_text` for broadcasts, `on_event` for messages it interprets."""

    async def send_text(self, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def send_text_nowait(self, text: str) -> bool:
        """Write a broadcast at once if the socket can (True), without a coroutine per socket and
        frame; False leaves it to `send_text`."""
        return False

    async def on_event(self, message: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class Hub:
    """Local subscriptions, the relay from the channel layer, and per-key throttled timers."""

    # What a message for this process's sockets is handed to (see `handle_with`).
    handler: ClassVar[Callable[["Hub", dict], Awaitable[None]] | None] = None

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.subscribers: dict[str, set[Subscriber]] = {}
        self.layer = get_channel_layer() if cross_process() else None
        self.channel: str | None = None
        self.relay_task: asyncio.Task | None = None
        self.layer_groups: dict[str, int] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.last_run: dict[str, float] = {}
        self.tasks: set[asyncio.Task] = set()
        self.locks: dict[str, asyncio.Lock] = {}
        self.state: dict = {}  # per-loop state owned by callers (the live boards, the answer writer)

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
        """Deliver what is sent under `key` to `subscriber` (once, however often this is called), and
        have the relay join `layer_group` on the channel layer while any subscription needs it."""
        subs = self.subscribers.setdefault(key, set())
        if subscriber in subs:
            return
        subs.add(subscriber)
        if layer_group and self.layer is not None:
            self.layer_groups[layer_group] = self.layer_groups.get(layer_group, 0) + 1
            if self.layer_groups[layer_group] == 1:
                await self._ensure_relay()
                try:
                    await self.layer.group_add(layer_group, self.channel)
                except Exception:  # the layer is down: the relay joins it once the layer is back
                    log.warning("could not join %s on the channel layer; the relay will", layer_group, exc_info=True)

    async def unsubscribe_all(self, subscriber: Subscriber, keys: list[tuple[str, str | None]]) -> None:
        """End `subscriber`'s subscriptions to `keys` ((key, layer group or None) pairs). Only what it
        holds is undone, so this is safe to call twice or after a subscription that failed half-way;
        the local bookkeeping is done before the first await, so a cancelled caller still leaves it right."""
        discard = []
        for key, layer_group in keys:
            subs = self.subscribers.get(key)
            if subs is None or subscriber not in subs:
                continue
            subs.discard(subscriber)
            if not subs:
                del self.subscribers[key]
            if layer_group and self.layer is not None and layer_group in self.layer_groups:
                self.layer_groups[layer_group] -= 1
                if self.layer_groups[layer_group] <= 0:
                    del self.layer_groups[layer_group]
                    discard.append(layer_group)
        for layer_group in discard:
            with contextlib.suppress(Exception):  # the relay's membership expires anyway
                await self.layer.group_discard(layer_group, self.channel)

    def has(self, key: str) -> bool:
        return key in self.subscribers

    def keys(self, prefix: str) -> list[str]:
        return [k for k in self.subscribers if k.startswith(prefix)]

    # ------------------------------------------------------------ delivery

    async def send_text(self, key: str, text: str) -> int:
        """Write one serialised message to every local socket under `key`.

        A broadcast to thousands of sockets hands the event loop back every `broadcast_slice()`
        sockets, so the answers and acknowledgements that arrived meanwhile are not held up behind
        it (docs/PERFORMANCE.md); the key's lock keeps broadcasts to one key in order."""
        subs = list(self.subscribers.get(key, ()))
        step = broadcast_slice()
        lock = self.locks.get(f"send.{key}")
        if step and len(subs) > step:
            lock = self.lock(f"send.{key}")
        if lock is None:
            await self._write(subs, text, 0)
        else:
            async with lock:
                await self._write(subs, text, step)
        return len(subs)

    async def _write(self, subs: list[Subscriber], text: str, step: int) -> None:
        for i, sub in enumerate(subs):
            if step and i and not i % step:
                await asyncio.sleep(0)
            try:
                nowait = getattr(sub, "send_text_nowait", None)
                if nowait is None or not nowait(text):
                    await sub.send_text(text)
            except Exception:  # a socket closing under us must not stop the others
                log.debug("a broadcast to one socket failed", exc_info=True)

    async def send_event(self, key: str, message: dict) -> None:
        for sub in list(self.subscribers.get(key, ())):
            try:
                await sub.on_event(message)
            except Exception:
                log.exception("event %s for %s failed", message.get("type"), key)

    async def receive(self, message: dict) -> None:
        """Hand a message for this process's sockets to the registered handler."""
        if Hub.handler is not None:
            await Hub.handler(self, message)

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
        """Relay what the layer brings until cancelled. The layer going away (Redis restarted) is not
        fatal: receive is retried every RELAY_RETRY_MAX seconds at most, and as soon as the layer
        answers again the relay first joins its groups again, because a Redis restarted without
        persistence has forgotten them (docs/deployment.md). What other processes sent to the groups
        before that is lost to this one, so the handler is then told (REJOINED) and catches up."""
        backoff = RELAY_RETRY_FIRST
        down_since: float | None = None
        while True:
            try:
                if down_since is not None:
                    await self._rejoin(self.loop.time() - down_since)
                    down_since, backoff = None, RELAY_RETRY_FIRST
                    # what the groups carried meanwhile never reached this process: the handler resyncs
                    self.spawn(self.receive({"type": REJOINED}))
                message = await self._receive()
                backoff = RELAY_RETRY_FIRST
            except asyncio.CancelledError:
                raise
            except Exception:
                # redis-py turns a cancellation that lands mid-read into a TimeoutError; retrying
                # then would swallow the cancel and keep the loop's shutdown waiting forever.
                if asyncio.current_task().cancelling():
                    raise asyncio.CancelledError from None
                if down_since is None:
                    down_since = self.loop.time()
                    log.warning("channel layer receive failed; retrying", exc_info=True)
                else:  # one warning per outage, not one per retry
                    log.debug("channel layer still unreachable", exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RELAY_RETRY_MAX)
                continue
            if message.get("origin") == ORIGIN:
                continue
            try:
                await self.receive(message)
            except Exception:
                log.exception("relayed %s failed", message.get("type"))

    async def _receive(self) -> dict:
        """The layer's receive, in a task of its own that the relay's cancellation always reaches. On
        Python 3.11, `asyncio.wait_for` returns instead of raising when the cancellation lands just as
        what it waits for finishes; redis-py wraps each command's send in one, so a cancel that lands
        as BZPOPMIN is sent is lost and channels_redis waits on BZPOPMIN again, for ever: the relay
        (and a test's event loop, or a server's shutdown) never ended. Here the relay ends at once and
        the receive is cancelled again until it ends."""
        receiving = self.loop.create_task(self.layer.receive(self.channel))
        try:
            return await asyncio.shield(receiving)
        except asyncio.CancelledError:
            while not receiving.done():
                receiving.cancel()
                await asyncio.wait([receiving], timeout=RECEIVE_CANCEL_AGAIN)
            raise

    async def _rejoin(self, outage: float) -> None:
        """Join every group this process's sockets need again (a no-op for groups it is still in)."""
        for layer_group in list(self.layer_groups):
            await self.layer.group_add(layer_group, self.channel)
        log.warning("channel layer back after %.1f s: rejoined %d groups", outage, len(self.layer_groups))


def handle_with(handler: Callable[[Hub, dict], Awaitable[None]]) -> None:
    """Register where messages for this process's sockets go, local or relayed (one handler per process)."""
    Hub.handler = handler


# ------------------------------------------------------------------ delivery from any thread


def nobody_to_tell() -> bool:
    """No sockets in this process (no event loop) and no other process to tell (in-memory layer)."""
    return event_loop() is None and not cross_process()


def deliver(group: str, message: dict, *, throttle: float | None = None) -> None:
    """Send a message to this process's sockets and, on `group` of the channel layer, to the others.

    Callable from any thread (services call it after commit). With `throttle`, the layer copy goes
    out at most once per that many seconds per group and type: later calls merge into the pending
    one, so it must say only "something changed". Without an event loop here there are no local
    sockets; the message still reaches the other processes through the publisher thread.
    """
    loop = event_loop()
    if loop is not None:
        call_soon(loop, _deliver_on_loop, loop, group, message, throttle)
    elif cross_process():
        publish_now(group, message)


def _deliver_on_loop(loop: asyncio.AbstractEventLoop, group: str, message: dict, throttle: float | None) -> None:
    hub = Hub.get(loop)
    hub.spawn(hub.receive(message))
    if hub.layer is None:
        return
    if throttle is None:
        hub.spawn(hub.publish(group, message))
    else:
        hub.throttle(f"publish.{group}.{message['type']}", throttle, lambda: hub.publish(group, message))


_publisher: dict = {}
_publisher_lock = threading.Lock()


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """One event loop in a daemon thread for code without a loop (commands, shells, sync tests), so
    channels_redis keeps one connection pool instead of one per message."""
    with _publisher_lock:
        if "loop" not in _publisher:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="contests-publisher", daemon=True).start()
            _publisher["loop"] = loop
        return _publisher["loop"]


def publish_now(group: str, message: dict) -> None:
    """No event loop here: reach the servers through the layer, waiting briefly for the send."""
    loop = _publisher_loop()

    async def send():
        await Hub(loop).publish(group, message)

    try:
        asyncio.run_coroutine_threadsafe(send(), loop).result(timeout=5)
    except Exception:
        log.exception("could not publish %s", message.get("type"))
