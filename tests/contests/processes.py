"""Clients for tests that run real Daphne processes (cross-process and fault tests): they connect,
wait for a message, and follow the board as scoreboard.js does."""

import asyncio
import json
import time

from websockets.asyncio.client import connect as ws_connect

from django.conf import settings

from tests.contests.factories import ApprovedRegistrationFactory
from tests.factories import UserFactory


def contestants(rnd, count):
    users = [UserFactory(username=f"cp{n}", real_name=f"选手{n}") for n in range(count)]
    for n, user in enumerate(users):
        ApprovedRegistrationFactory(track=rnd.track, user=user, organisation=f"单位{n % 3}", province="32")
    return users


def connect(server_ws, path, cookie=None):
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else None
    origin = server_ws.replace("ws://", "http://")
    return ws_connect(
        f"{server_ws}{path}", origin=origin, additional_headers=headers, compression=None, proxy=None, open_timeout=10
    )


async def receive_until(ws, kind, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no {kind!r} within {timeout} s"
        message = json.loads(await asyncio.wait_for(ws.recv(), left))
        if message["type"] == kind:
            return message


class Viewer:
    """scoreboard.js's all-rows view: snapshot, seq-numbered deltas, resume on a gap."""

    def __init__(self):
        self.rows, self.seq, self.resumes, self.messages = {}, -1, 0, 0

    async def run(self, url, round_id, stop: asyncio.Event) -> None:
        async with connect(url, f"/ws/rounds/{round_id}/board/?view=all") as ws:
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except TimeoutError:
                    continue
                self.messages += 1
                if message["type"] == "scoreboard.snapshot":
                    self.rows = {r["entry"]: r["total"] for r in message["rows"]}
                    self.seq = message["seq"]
                elif message["type"] == "scoreboard.changed" and message["seq"] > self.seq:
                    if message["from_seq"] > self.seq:
                        self.resumes += 1
                        await ws.send(json.dumps({"type": "resume", "last_seq": self.seq}))
                        continue
                    self.rows.update({r["entry"]: r["total"] for r in message["rows"]})
                    self.seq = message["seq"]
