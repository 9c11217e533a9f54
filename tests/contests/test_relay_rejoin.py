"""A process's relay on a real Redis: back in its groups within about a second of a Redis restart, and
an idle receive is not taken for an outage; once back, the takeovers it missed reach its consoles.

The Redis tests run a private redis-server on a free port (contests/benchmark/faults.py), so restarting it
never disturbs the rest of the suite; it needs the redis-server binary, not REDIS_URL.
"""

import asyncio
import logging
import time

import pytest
from channels_redis.core import RedisChannelLayer

from django.conf import settings

from contests import fanout, services
from contests.benchmark.faults import PrivateRedis
from contests.hub import REJOINED, Hub, Subscriber
from tests.contests.live import _wagtail_roots_after_module, contestant, db, run, session_cookie, wagtail_roots  # noqa: F401

# Redis's return to the first message relayed again. The relay retries at most every second (the
# 5-second cap it had before left it out of its groups for up to 5 s); the rest is slack for a busy CI.
REJOINED_WITHIN = 3.0
DOWN_SECONDS = 6.5  # long enough for the old backoff to sleep well past Redis's return


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    if server.binary is None:
        pytest.skip("no redis-server on this machine")
    server.start()
    yield server
    server.stop()


def layer_on(redis: PrivateRedis) -> RedisChannelLayer:
    """A channel layer configured as the settings configure it, on the private Redis."""
    host = {"address": redis.url, "socket_timeout": settings.CHANNEL_LAYER_SOCKET_TIMEOUT}
    return RedisChannelLayer(hosts=[host], prefix="relay-rejoin")


class Quiet(Subscriber):
    async def on_event(self, message: dict) -> None:
        pass


async def relaying_hub(redis, got: list) -> Hub:
    async def handler(hub, message):
        if "n" in message:  # not the hub's own REJOINED
            got.append((time.monotonic(), message["n"]))

    Hub.handler = handler
    hub = Hub(asyncio.get_running_loop())
    hub.layer = layer_on(redis)
    await hub.subscribe("round.1", Quiet(), layer_group="round.1")  # starts the relay, joins the group
    return hub


async def stop(hub: Hub) -> None:
    hub.relay_task.cancel()
    await asyncio.wait([hub.relay_task], timeout=5)


def test_the_relay_is_back_in_its_groups_within_a_second_or_two_of_a_redis_restart(redis, monkeypatch):
    monkeypatch.setattr(Hub, "handler", None)
    got: list[tuple[float, int]] = []
    sent: list[tuple[float, int]] = []

    async def scenario():
        hub = await relaying_hub(redis, got)
        other = layer_on(redis)  # another process: its messages carry another origin
        sending = True

        async def send():
            n = 0
            while sending:
                n += 1
                try:
                    await other.group_send("round.1", {"type": "board.changed", "n": n, "origin": "elsewhere"})
                    sent.append((time.monotonic(), n))
                except Exception:  # noqa: S110 - Redis is down: this one is dropped, as hub.publish drops it
                    pass
                await asyncio.sleep(0.05)

        sender = asyncio.create_task(send())
        await asyncio.sleep(1)
        assert got, "nothing relayed before the restart"
        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(redis.start)
        up = time.monotonic()
        while not any(at > up for at, _ in got) and time.monotonic() < up + 30:
            await asyncio.sleep(0.01)
        await asyncio.sleep(1)
        sending = False
        await sender
        await stop(hub)
        return up

    up = asyncio.run(scenario())
    back = min((at for at, _ in got if at > up), default=None)
    assert back is not None, "nothing relayed after Redis came back"
    assert back - up <= REJOINED_WITHIN, f"the relay took {back - up:.1f} s to rejoin"
    # Once back, the relay stays back: every message sent after it got the first one arrives.
    received = {n for _, n in got}
    missed = [n for at, n in sent if at > back and n not in received]
    assert not missed, missed


def test_an_idle_relay_does_not_take_the_quiet_for_an_outage(redis, monkeypatch, caplog):
    """channels_redis waits 5 s in BZPOPMIN; with redis-py's read timeout at 5 s as well, an idle receive
    timed out client-side every 5 s (and a message popped in that instant was lost)."""
    monkeypatch.setattr(Hub, "handler", None)
    assert RedisChannelLayer.brpop_timeout < settings.CHANNEL_LAYER_SOCKET_TIMEOUT
    got: list[tuple[float, int]] = []

    async def scenario():
        hub = await relaying_hub(redis, got)
        await asyncio.sleep(RedisChannelLayer.brpop_timeout + 1.5)
        sent_at = time.monotonic()
        await layer_on(redis).group_send("round.1", {"type": "board.changed", "n": 1, "origin": "elsewhere"})
        while not got and time.monotonic() < sent_at + 10:
            await asyncio.sleep(0.01)
        await stop(hub)
        return sent_at

    with caplog.at_level(logging.DEBUG, logger="contests.hub"):
        sent_at = asyncio.run(scenario())
    assert got and got[0][0] - sent_at < 1
    assert not [r for r in caplog.records if "channel layer" in r.getMessage()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("wagtail_roots")
def test_after_a_rejoin_a_console_superseded_meanwhile_is_taken_over_once(running_round, entry, learner, monkeypatch):
    """A takeover published while this process was out of the groups never arrives; when the relay says
    it is back, the fan-out asks the database instead. Told twice, the console still closes once."""
    monkeypatch.setattr("contests.events.session_taken_over", lambda *args: None)  # the lost message
    session = session_cookie(learner)

    async def scenario():
        first = contestant(running_round.pk, session)
        assert await first.connect()
        await first.receive()
        await fanout.receive(Hub.get(), {"type": REJOINED})
        assert await first.nothing()  # still the newest session
        await db(services.entry_connect, entry=entry)  # a newer console on another process
        await fanout.receive(Hub.get(), {"type": REJOINED})
        await fanout.receive(Hub.get(), {"type": REJOINED})
        assert (await first.receive())["type"] == "session.taken_over"
        assert await first.closed_with() == 4009
        assert await first.nothing()
        await first.close()

    run(scenario)
