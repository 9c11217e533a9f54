"""Faults under load: Redis, then PostgreSQL, restarted in the middle of a round (docs/deployment.md).

Two Daphne processes serve contestants and viewers spread over both. Each fault is a private server
(contests/benchmark/faults.py) stopped for a few seconds while answers are in flight, then started again
on the same port, so the rest of the suite, sharing 127.0.0.1:5432 and :6379, is never disturbed.

- Redis: the database is the record, the channel layer fan-out only. No server exits, answers keep
  being stored and acknowledged while it is down, and every board converges on the database's truth
  within a few seconds of its return.
- PostgreSQL: saves are answered `retry` while it is down; the consoles resend the same client id,
  and afterwards every acknowledged answer is stored exactly once.

Run in the PostgreSQL + Redis pass of `.ci/run` (SQLite has no server to restart).
"""

import asyncio
import contextlib
import json
import random
import time
import urllib.request
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, WebSocketException

from django.conf import settings

from contests import services
from contests.benchmark.faults import PrivatePostgres, PrivateRedis
from tests.contests.helpers import right, wrong
from tests.contests.live import _wagtail_roots_after_module, session_cookie, wagtail_roots  # noqa: F401
from tests.contests.processes import Viewer, connect, contestants, receive_until
from tests.contests.servers import Daphne, database_for_servers, stored_client_ids, uses_postgres

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_roots"),
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="needs REDIS_URL and PostgreSQL: a server to restart under two Daphne processes"
    ),
]

DOWN_SECONDS = 3
CONVERGED_WITHIN = 15  # after Redis is back: the 5-second safety re-read, on a loaded machine


@pytest.fixture(autouse=True)
def _postgres_only():
    if not uses_postgres():
        pytest.skip("needs PostgreSQL: SQLite has no server to restart")


class Console:
    """A console as contest-console.js behaves: pending saves survive reconnects and are resent; a
    `retry` or `rate_limited` rejection resends the same client id after a short delay."""

    def __init__(self, cookie, urls, round_id, paper, budget):
        self.cookie, self.urls, self.round_id, self.paper = cookie, urls, round_id, paper
        self.budget = budget
        self.pending: dict[str, dict] = {}
        self.sent: set[str] = set()
        self.acked: dict[str, float] = {}  # client id → when its ack arrived
        self.rejected: dict[str, str] = {}
        self.retries = 0
        self.errors: list[dict] = []
        self.reconnects = 0
        self.tasks: set[asyncio.Task] = set()

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
                    await receive_until(ws, "hello", timeout=20)
                    for save in list(self.pending.values()):
                        await ws.send(json.dumps(save))
                    sender = asyncio.create_task(self.send_new(ws))
                    try:
                        while self.budget > 0 or self.pending:
                            self.handle(ws, json.loads(await asyncio.wait_for(ws.recv(), 10)))
                    finally:
                        sender.cancel()
            except (OSError, TimeoutError, AssertionError, ConnectionClosed, WebSocketException):
                # Refused, or (PostgreSQL down) the handshake failed: the page reconnects.
                self.reconnects += 1
                index += 1
                await asyncio.sleep(0.5)
        for task in self.tasks:
            task.cancel()

    async def send_new(self, ws) -> None:
        while self.budget > 0:
            await ws.send(json.dumps(self.new_save()))
            await asyncio.sleep(0.2)

    async def resend(self, ws, client_id: str) -> None:
        await asyncio.sleep(0.5)
        if client_id in self.pending:
            with contextlib.suppress(ConnectionClosed):  # if closed, the reconnect resends it
                await ws.send(json.dumps(self.pending[client_id]))

    def handle(self, ws, message: dict) -> None:
        cid = message.get("client_id")
        if message["type"] == "answer.ack":
            self.pending.pop(cid, None)
            self.acked.setdefault(cid, time.monotonic())
        elif message["type"] == "answer.rejected" and message["code"] in ("retry", "rate_limited"):
            self.retries += message["code"] == "retry"
            task = asyncio.get_running_loop().create_task(self.resend(ws, cid))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif message["type"] == "answer.rejected":
            self.pending.pop(cid, None)
            self.rejected[cid] = message["code"]
        elif message["type"] == "error":
            self.errors.append(message)


@pytest.fixture
def daphnes(tmp_path):
    started: list[Daphne] = []

    def start(env, count=2):
        for n in range(count):
            started.append(Daphne(env, tmp_path / f"daphne-{n}.log"))
        return started

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    if redis.binary is None:
        pytest.skip("no redis-server on this machine")
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def private_postgres():
    why = PrivatePostgres.available()
    if why:
        pytest.skip(f"cannot run a private PostgreSQL: {why}")
    pg = PrivatePostgres()
    try:
        pg.init()
        yield pg
    finally:
        pg.destroy()


def start_round(rnd, organiser, count):
    users = contestants(rnd, count)
    services.round_open_lobby(round=rnd, by=organiser)
    services.round_start(round=rnd, by=organiser)
    return [session_cookie(u) for u in users]


def scoreboard_json(server, round_id) -> dict:
    with urllib.request.urlopen(f"{server.http}/contests/rounds/{round_id}/scoreboard.json", timeout=20) as r:  # noqa: S310
        return json.loads(r.read())


def all_alive(servers) -> list[str]:
    """What the servers that exited logged last (none should have)."""
    return [s.log.read_text()[-3000:] for s in servers if s.proc.poll() is not None]


def test_redis_restarted_mid_round(private_redis, live_round, organiser, paper, daphnes, tmp_path):
    rnd = live_round
    *cookies, sentinel = start_round(rnd, organiser, 11)
    env = database_for_servers(tmp_path) | {"REDIS_URL": private_redis.url, "CACHE_KEY_PREFIX": "fault"}
    servers = daphnes(env)
    urls = [s.ws for s in servers]
    consoles = [Console(c, urls, rnd.pk, paper, budget=30) for c in cookies]
    viewers = [Viewer() for _ in range(4)]
    late = Viewer()  # connects while Redis is down
    marks = {}

    async def takeover_across_servers(first_open: asyncio.Event, go: asyncio.Event) -> dict:
        """A console open on one server since before the fault is taken over from the other one after
        it: the takeover reaches it only through Redis, so its server must be in the groups again."""
        async with connect(urls[0], f"/ws/rounds/{rnd.pk}/contestant/", sentinel) as first:
            await receive_until(first, "hello", timeout=20)
            first_open.set()
            await go.wait()
            async with connect(urls[1], f"/ws/rounds/{rnd.pk}/contestant/", sentinel) as second:
                await receive_until(second, "hello", timeout=20)
                return await receive_until(first, "session.taken_over", timeout=15)

    async def scenario():
        stop, first_open, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
        watching = [asyncio.create_task(v.run(urls[n % 2], rnd.pk, stop)) for n, v in enumerate(viewers)]
        takeover = asyncio.create_task(takeover_across_servers(first_open, go))
        await asyncio.wait_for(first_open.wait(), 30)
        deadline = time.monotonic() + 180
        running = [asyncio.create_task(c.run(n % 2, deadline)) for n, c in enumerate(consoles)]
        await asyncio.sleep(1.5)
        marks["down"] = time.monotonic()
        await asyncio.to_thread(private_redis.stop)  # under load: saves in flight on both servers
        await asyncio.sleep(1)
        watching.append(asyncio.create_task(late.run(urls[1], rnd.pk, stop)))
        await asyncio.sleep(DOWN_SECONDS - 1)
        await asyncio.to_thread(private_redis.start)
        marks["up"] = time.monotonic()
        await asyncio.gather(*running)
        marks["done"] = time.monotonic()
        go.set()
        marks["takeover"] = await takeover
        viewers.append(late)
        # Every viewer, on either server, holds the database's board within a few seconds.
        converge_by = time.monotonic() + CONVERGED_WITHIN
        while time.monotonic() < converge_by:
            truths = await asyncio.gather(*(asyncio.to_thread(scoreboard_json, s, rnd.pk) for s in servers))
            final = {r["entry"]: r["total"] for r in truths[0]["rows"]}
            if all(v.rows == final for v in viewers) and all(
                {r["entry"]: r["total"] for r in t["rows"]} == final for t in truths
            ):
                marks["converged"] = time.monotonic()
                break
            await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*watching)

    asyncio.run(scenario())

    assert not all_alive(servers), "a Daphne process exited"
    sent = set().union(*(c.sent for c in consoles))
    acked = {cid: at for c in consoles for cid, at in c.acked.items()}
    rejected = {cid: code for c in consoles for cid, code in c.rejected.items()}
    assert not rejected, rejected
    assert not [e for c in consoles for e in c.errors], "an error frame reached a console"
    assert set(acked) == sent and len(sent) == 10 * 30
    assert any(marks["down"] + 0.5 < at < marks["up"] for at in acked.values()), "no answer acked while Redis was down"
    stored = stored_client_ids(env)
    assert len(stored) == len(set(stored)), "an answer was stored twice"
    assert {c.replace("-", "") for c in acked} == set(stored)
    assert "converged" in marks, [len(v.rows) for v in viewers]
    assert all(v.messages for v in viewers)
    assert late.seq > 0, "the viewer that connected while Redis was down got no board"
    assert "其他页面或设备" in marks["takeover"]["reason"]
    assert any(total != "0.00" for total in viewers[0].rows.values())


def test_postgres_restarted_mid_round(private_postgres, live_round, organiser, paper, daphnes, tmp_path):
    rnd = live_round
    cookies = start_round(rnd, organiser, 10)
    private_postgres.load_test_database()  # the round, its contestants and their sessions
    env = database_for_servers(tmp_path) | {"DATABASE_URL": private_postgres.url}
    servers = daphnes(env)
    urls = [s.ws for s in servers]
    consoles = [Console(c, urls, rnd.pk, paper, budget=30) for c in cookies]
    marks = {}

    async def scenario():
        deadline = time.monotonic() + 240
        running = [asyncio.create_task(c.run(n % 2, deadline)) for n, c in enumerate(consoles)]
        await asyncio.sleep(1.5)
        marks["down"] = time.monotonic()
        await asyncio.to_thread(private_postgres.stop)  # fast: open connections are cut
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(private_postgres.start)
        marks["up"] = time.monotonic()
        await asyncio.gather(*running)
        marks["done"] = time.monotonic()

    asyncio.run(scenario())

    assert not all_alive(servers), "a Daphne process exited"
    sent = set().union(*(c.sent for c in consoles))
    acked = set().union(*(c.acked for c in consoles))
    rejected = {cid: code for c in consoles for cid, code in c.rejected.items()}
    assert not rejected, rejected
    assert not [e for c in consoles for e in c.errors], "an error frame reached a console"
    assert sum(c.retries for c in consoles) > 0, "no save was answered retry while PostgreSQL was down"
    logs = "".join(s.log.read_text() for s in servers)
    assert "storing it in halves" not in logs, "a batch that lost its connection was halved against a dead pool"
    assert acked == sent and len(sent) == 10 * 30, f"{len(sent - acked)} saves never acknowledged"
    stored = private_postgres.client_ids()
    assert len(stored) == len(set(stored)), "an answer was stored twice"
    assert {c.replace("-", "") for c in acked} == set(stored)
    assert any(t["rows"] for t in [scoreboard_json(servers[0], rnd.pk)])
