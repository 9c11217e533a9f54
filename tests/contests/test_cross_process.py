"""Two Daphne processes sharing the database and Redis: what one stores reaches sockets on the other,
and killing one mid-round loses nothing (its contestants move to the other and resend).

Skipped without REDIS_URL: with the in-memory channel layer, processes cannot reach each other.
`.ci/run` runs the suite again with DATABASE_URL and REDIS_URL, where these tests run.
"""

import asyncio
import json
import random
import time
import urllib.request
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from django.conf import settings

from contests import services
from tests.contests.factories import ApprovedRegistrationFactory
from tests.contests.helpers import right, wrong
from tests.contests.live import _wagtail_roots_after_module, session_cookie, wagtail_roots  # noqa: F401
from tests.contests.processes import Viewer, connect, contestants, receive_until
from tests.contests.servers import Daphne, database_for_servers, stored_client_ids

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_roots"),
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="needs REDIS_URL: two Daphne processes share groups through Redis"
    ),
]


@pytest.fixture
def servers(tmp_path):
    """Start Daphne processes on the test database; their logs stay in tmp_path."""
    started = []

    def start(env, count=2):
        for n in range(count):
            started.append(Daphne(env, tmp_path / f"daphne-{n}.log"))
        return started

    yield start
    for server in started:
        server.stop()


def test_what_one_process_stores_reaches_sockets_on_the_other(live_round, organiser, learner, paper, servers, tmp_path):
    rnd = live_round
    ApprovedRegistrationFactory(track=rnd.track, user=learner, organisation="甲公司", province="32")
    services.round_open_lobby(round=rnd, by=organiser)
    services.round_start(round=rnd, by=organiser)
    cookie = session_cookie(learner)
    env = database_for_servers(tmp_path)
    one, two = servers(env)

    async def scenario():
        async with (
            connect(two.ws, f"/ws/rounds/{rnd.pk}/board/?view=all") as viewer,
            connect(one.ws, f"/ws/rounds/{rnd.pk}/contestant/", cookie) as console,
        ):
            snapshot = json.loads(await viewer.recv())
            assert snapshot["type"] == "scoreboard.snapshot"
            await receive_until(console, "hello")
            client_id = str(uuid.uuid4())
            question = paper[0]
            await console.send(
                json.dumps(
                    {
                        "type": "answer.save",
                        "client_id": client_id,
                        "question_id": question.pk,
                        "answer": right(question),
                    }
                )
            )
            ack = await receive_until(console, "answer.ack")
            assert ack["client_id"] == client_id
            changed = await receive_until(viewer, "scoreboard.changed")
            assert [(r["name"], r["theory"]) for r in changed["rows"]] == [(learner.display_name, "10.0")]
            assert changed["seq"] > snapshot["seq"]

            # The same contestant opens a console on the other process: the first one is taken over.
            async with connect(two.ws, f"/ws/rounds/{rnd.pk}/contestant/", cookie) as second:
                await receive_until(second, "hello")
                notice = await receive_until(console, "session.taken_over")
                assert "其他页面或设备" in notice["reason"]
                await asyncio.wait_for(console.wait_closed(), 5)
                return console.close_code

    assert asyncio.run(scenario()) == 4009


def test_a_change_made_outside_any_server_reaches_them_through_redis(
    live_round, organiser, learner, paper, servers, tmp_path
):
    """An announcement posted from this (sync, loop-less) process reaches a console on a server."""
    if "SQLITE_PATH" in database_for_servers(tmp_path):
        pytest.skip("on SQLite the servers use a copy of the test database, so this process cannot write to theirs")
    rnd = live_round
    ApprovedRegistrationFactory(track=rnd.track, user=learner, organisation="甲公司", province="32")
    services.round_open_lobby(round=rnd, by=organiser)
    services.round_start(round=rnd, by=organiser)
    cookie = session_cookie(learner)
    (one,) = servers(database_for_servers(tmp_path), count=1)

    async def scenario():
        async with connect(one.ws, f"/ws/rounds/{rnd.pk}/contestant/", cookie) as console:
            await receive_until(console, "hello")
            await asyncio.sleep(0.5)  # the server's hub has joined round.<id> on Redis
            await asyncio.to_thread(services.round_announce, round=rnd, by=organiser, text="请注意时间")
            note = await receive_until(console, "announcement.posted")
            return note["announcement"]["text"]

    assert asyncio.run(scenario()) == "请注意时间"


class Client:
    """A contestant's console as contest-console.js behaves: pending saves survive reconnects and are resent."""

    def __init__(self, cookie, urls, round_id, paper, budget):
        self.cookie, self.urls, self.round_id, self.paper = cookie, urls, round_id, paper
        self.budget = budget
        self.pending: dict[str, dict] = {}
        self.sent: set[str] = set()
        self.acked: set[str] = set()
        self.rejected: dict[str, str] = {}
        self.reconnects = 0

    def new_save(self) -> dict:
        question = random.choice(self.paper)  # noqa: S311
        answer = right(question) if random.random() < 0.5 else wrong(question)  # noqa: S311
        save = {"type": "answer.save", "client_id": str(uuid.uuid4()), "question_id": question.pk, "answer": answer}
        self.pending[save["client_id"]] = save
        self.sent.add(save["client_id"])
        self.budget -= 1
        return save

    async def run(self, start_index: int, deadline: float) -> None:
        index = start_index
        while (self.budget > 0 or self.pending) and time.monotonic() < deadline:
            try:
                async with connect(
                    self.urls[index % len(self.urls)], f"/ws/rounds/{self.round_id}/contestant/", self.cookie
                ) as ws:
                    await receive_until(ws, "hello")
                    for save in list(self.pending.values()):
                        await ws.send(json.dumps(save))
                    sender = asyncio.create_task(self.send_new(ws))
                    try:
                        while self.budget > 0 or self.pending:
                            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                            self.handle(message)
                    finally:
                        sender.cancel()
            except (OSError, TimeoutError, ConnectionClosed):
                self.reconnects += 1
                index += 1
                await asyncio.sleep(0.2)

    async def send_new(self, ws) -> None:
        while self.budget > 0:
            await ws.send(json.dumps(self.new_save()))
            await asyncio.sleep(0.15)

    def handle(self, message: dict) -> None:
        cid = message.get("client_id")
        if message["type"] == "answer.ack":
            self.pending.pop(cid, None)
            self.acked.add(cid)
        elif message["type"] == "answer.rejected" and message["code"] not in ("rate_limited", "retry", "paused"):
            self.pending.pop(cid, None)
            self.rejected[cid] = message["code"]


def test_killing_a_server_mid_round_loses_no_acknowledged_answer(live_round, organiser, paper, servers, tmp_path):
    rnd = live_round
    users = contestants(rnd, 12)
    services.round_open_lobby(round=rnd, by=organiser)
    services.round_start(round=rnd, by=organiser)
    cookies = [session_cookie(u) for u in users]
    env = database_for_servers(tmp_path)
    doomed, survivor = servers(env)
    urls = [doomed.ws, survivor.ws]
    clients = [Client(c, urls, rnd.pk, paper, budget=25) for c in cookies]
    viewer = Viewer()

    async def scenario():
        stop = asyncio.Event()
        watching = asyncio.create_task(viewer.run(survivor.ws, rnd.pk, stop))
        deadline = time.monotonic() + 90
        running = [asyncio.create_task(c.run(n % 2, deadline)) for n, c in enumerate(clients)]
        await asyncio.sleep(1.5)
        await asyncio.to_thread(doomed.kill)  # under load: about half the consoles are on it
        await asyncio.gather(*running)
        await asyncio.sleep(6)  # a flush, or the 5-second safety re-read, brings the last rows
        stop.set()
        await watching

    asyncio.run(scenario())

    sent = set().union(*(c.sent for c in clients))
    acked = set().union(*(c.acked for c in clients))
    rejected = {cid: code for c in clients for cid, code in c.rejected.items()}
    assert sum(c.reconnects for c in clients) >= 4, "the killed server held some consoles"
    assert not rejected, rejected
    assert acked == sent and len(sent) == 12 * 25
    stored = stored_client_ids(env)
    assert len(stored) == len(set(stored)), "an answer was stored twice"
    assert {c.replace("-", "") for c in acked} == set(stored)

    with urllib.request.urlopen(f"{survivor.http}/contests/rounds/{rnd.pk}/scoreboard.json") as response:  # noqa: S310
        final = json.loads(response.read())
    assert {r["entry"]: r["total"] for r in final["rows"]} == viewer.rows
    assert final["seq"] == viewer.seq
    assert any(total != "0.00" for total in viewer.rows.values())
