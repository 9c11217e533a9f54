"""The per-loop hub registry and delivery: one hub per running loop, none kept for loops that have
closed; what is delivered reaches the registered handler (the fan-out)."""

import asyncio

from contests import fanout
from contests import hub as hub_module
from contests.hub import Hub


def test_one_hub_per_loop_and_hubs_of_closed_loops_are_dropped():
    async def current():
        return Hub.get(), Hub.get()

    first, again = asyncio.run(current())
    assert first is again
    second, _ = asyncio.run(current())
    assert second is not first
    assert first.loop not in hub_module._hubs  # its loop closed: dropped when the next hub was made
    assert second.loop in hub_module._hubs


def test_the_fan_out_receives_what_the_hub_delivers():
    """`contests.events` hands messages to the hub; the fan-out registered itself when the app was ready."""
    assert Hub.handler is fanout.receive


def test_a_delivered_message_reaches_the_handler_on_the_loop(monkeypatch):
    got = []

    async def handler(hub, message):
        got.append((hub, message))

    monkeypatch.setattr(Hub, "handler", handler)

    async def scenario():
        hub_module.deliver("round.1", {"type": "board.changed", "round": 1})  # as a service would, after commit
        await asyncio.sleep(0.05)
        return Hub.get()

    hub = asyncio.run(scenario())
    assert got == [(hub, {"type": "board.changed", "round": 1})]


def relay_cancelled(layer, settle: float = 0.0) -> tuple[bool, list]:
    """Start a hub's relay on `layer`, cancel it, and return whether it ended cancelled within 2 s and
    the tasks still running `settle` seconds later."""

    async def scenario():
        hub = Hub(asyncio.get_running_loop())
        hub.layer, hub.channel = layer, "specific.test!1"
        task = asyncio.create_task(hub._relay())
        await asyncio.sleep(0.05)
        task.cancel()
        done, _pending = await asyncio.wait([task], timeout=2)
        await asyncio.sleep(settle)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        return task in done and task.cancelled(), others

    return asyncio.run(scenario())


def test_the_relay_stops_when_cancelled_even_if_the_layer_turns_the_cancel_into_an_error():
    """redis-py raises TimeoutError when a cancellation lands mid-read; the relay must still stop,
    or the loop's shutdown (asyncio.run cancelling its tasks) waits for it forever."""

    class Layer:
        reads = 0

        async def receive(self, channel):
            self.reads += 1
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise TimeoutError("Timeout reading from 127.0.0.1:6379") from None

    layer = Layer()
    stopped, _still_running = relay_cancelled(layer)
    assert stopped and layer.reads == 1


def test_the_relay_stops_when_cancelled_even_if_the_layer_swallows_the_cancel():
    """Python 3.11's asyncio.wait_for (redis-py's send) returns instead of raising when a cancellation
    lands as the send finishes, and channels_redis then waits on BZPOPMIN again: the relay and the
    receive must both end anyway (this hung a test's event loop on PostgreSQL + Redis)."""

    class Layer:
        swallowed = 0

        async def receive(self, channel):
            while True:
                try:
                    await asyncio.sleep(0.01)
                except asyncio.CancelledError:
                    if self.swallowed:
                        raise
                    self.swallowed += 1  # the cancel lost, as in wait_for; the next one is not

    layer = Layer()
    stopped, still_running = relay_cancelled(layer, settle=hub_module.RECEIVE_CANCEL_AGAIN * 2)
    assert stopped and layer.swallowed == 1
    assert still_running == []  # the receive too: cancelled again


def test_a_broadcast_is_written_at_once_where_a_socket_can_and_sent_in_order_elsewhere():
    class Socket(hub_module.Subscriber):
        def __init__(self, writes_now: bool):
            self.writes_now, self.written, self.sent = writes_now, [], []

        def send_text_nowait(self, text):
            if self.writes_now:
                self.written.append(text)
            return self.writes_now

        async def send_text(self, text):
            self.sent.append(text)

    async def scenario():
        hub = Hub(asyncio.get_running_loop())
        ready, waiting = Socket(True), Socket(False)
        await hub.subscribe("round.1.board.public.top", ready)
        await hub.subscribe("round.1.board.public.top", waiting)
        for text in ('{"seq":1}', '{"seq":2}'):
            assert await hub.send_text("round.1.board.public.top", text) == 2
        return ready, waiting

    ready, waiting = asyncio.run(scenario())
    assert (ready.written, ready.sent) == (['{"seq":1}', '{"seq":2}'], [])
    assert (waiting.written, waiting.sent) == ([], ['{"seq":1}', '{"seq":2}'])


def test_a_large_broadcast_lets_other_work_run_between_slices_and_keeps_each_sockets_order(settings):
    """At 2,000 viewers a board frame written to every socket in one go held up the answers and
    acknowledgements behind it; the hub hands the loop back every LIVE_BROADCAST_SLICE sockets, and a
    second broadcast to the same key waits, so no socket sees seq 2 before seq 1."""
    settings.LIVE_BROADCAST_SLICE = 10

    class Socket(hub_module.Subscriber):
        def __init__(self, log):
            self.log, self.got = log, []

        def send_text_nowait(self, text):
            self.got.append(text)
            self.log.append(("sent", text))
            return True

    async def scenario():
        hub, log = Hub(asyncio.get_running_loop()), []
        sockets = [Socket(log) for _ in range(35)]
        for socket in sockets:
            await hub.subscribe("round.1.board.public.top", socket)

        async def meanwhile():
            log.append(("other work", None))

        first = asyncio.ensure_future(hub.send_text("round.1.board.public.top", "1"))
        await asyncio.sleep(0)  # the first broadcast has written its first slice and yielded
        second = asyncio.ensure_future(hub.send_text("round.1.board.public.top", "2"))
        other = asyncio.ensure_future(meanwhile())
        assert await asyncio.gather(first, second, other) == [35, 35, None]
        return sockets, log

    sockets, log = asyncio.run(scenario())
    assert all(socket.got == ["1", "2"] for socket in sockets)
    position = log.index(("other work", None))
    assert 0 < position < 35  # ran while the first broadcast was still being written
    assert [text for kind, text in log if kind == "sent"] == ["1"] * 35 + ["2"] * 35


def test_a_small_broadcast_is_written_in_one_go(settings):
    settings.LIVE_BROADCAST_SLICE = 10

    class Socket(hub_module.Subscriber):
        def send_text_nowait(self, text):
            return True

    async def scenario():
        hub = Hub(asyncio.get_running_loop())
        for _ in range(10):
            await hub.subscribe("round.1.console", Socket())
        await hub.send_text("round.1.console", "x")
        return hub

    assert "send.round.1.console" not in asyncio.run(scenario()).locks  # no lock taken, no yield
