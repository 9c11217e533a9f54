"""The baseline of `manage.py bench_heartbeats`: a bare ASGI endpoint served by the same Daphne, with
the same transport tuning (config.live_server), that parses each beat and answers it with a
`beat.ack` of the same shape, without Django's request handling, the ORM or a database.

    BENCH_HEARTBEATS_SETUP=setup.json daphne courses.study.benchmark.bare:application

It knows the learners' session cookies from setup.json, sends a `hello` of the real one's shape,
keeps each socket's last `seq` and position in memory, and credits a beat its `active` seconds within
the wall-clock since the previous one: what a server must at least do to answer a heartbeat.
"""

import json
import os
import time
from http.cookies import SimpleCookie
from pathlib import Path

from config.live_server import cap_client_frames, install, served_by_twisted

cap_client_frames()  # the real app's limits on what a client sends, before Daphne builds its factory

_SETUP = os.environ.get("BENCH_HEARTBEATS_SETUP", "")
_setup = json.loads(Path(_SETUP).read_text(encoding="utf-8")) if _SETUP else {"entries": [], "duration": 0}
SESSIONS = {e["session"]: e for e in _setup["entries"]}
DURATION = float(_setup.get("duration") or 0)
KIND = _setup.get("kind") if isinstance(_setup.get("kind"), str) else "video"
_tuned = False


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _cookie(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get("sessionid")
            return morsel.value if morsel else ""
    return ""


def _hello(entry: dict) -> str:
    return _dumps(
        {
            "type": "hello",
            "lesson_id": entry["lesson"],
            "session": entry["session"][:16],
            "kind": KIND,
            "strict": False,
            "duration": DURATION,
            "position": 0.0,
            "furthest": 0.0,
            "watched": [],
            "watched_share": 0.0,
            "completion_share": 0.9,
            "effective_seconds": 0,
            "min_seconds": 0,
            "remaining_seconds": 0,
            "completed": False,
            "idle_check": None,
        }
    )


class Socket:
    def __init__(self, entry: dict):
        self.entry = entry
        self.last_seq = 0
        self.last_at = time.time()
        self.effective = 0
        self.carry = 0.0
        self.furthest = 0.0

    def beat(self, text: str) -> str:
        try:
            message = json.loads(text)
            seq, active = int(message["seq"]), float(message["active"])
            ranges = [(float(s), float(e)) for s, e in message.get("ranges", [])]
        except (ValueError, KeyError, TypeError):
            return _dumps({"type": "error", "code": "invalid", "message": "invalid"})
        now = time.time()
        credited, refused = 0, None
        if seq <= self.last_seq:
            refused = "replay"
        else:
            total = self.carry + max(0.0, min(now - self.last_at, active + 2.0, 30.0))
            credited = int(total)
            self.carry, self.effective = total - credited, self.effective + credited
            self.last_seq, self.last_at = seq, now
            if ranges:
                self.furthest = max(self.furthest, max(e for _s, e in ranges))
        return _dumps(
            {
                "type": "beat.ack",
                "seq": seq,
                "credited": credited,
                "refused": refused,
                "idle_check": None,
                "effective_seconds": self.effective,
                "watched_share": round(min(1.0, self.furthest / DURATION), 4) if DURATION else 0.0,
                "furthest": round(self.furthest, 3),
                "remaining_seconds": 0,
                "completed": False,
            }
        )


async def application(scope, receive, send):
    global _tuned
    if not _tuned:
        _tuned = True
        if served_by_twisted():
            install()
    if scope["type"] != "websocket":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass
        return
    socket = None
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            entry = SESSIONS.get(_cookie(scope))
            if entry is None or not scope["path"].startswith("/ws/study/"):
                await send({"type": "websocket.close", "code": 4401})
                return
            socket = Socket(entry)
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": _hello(entry)})
        elif event["type"] == "websocket.receive":
            text = event.get("text")
            if socket is not None and text:
                await send({"type": "websocket.send", "text": socket.beat(text)})
        elif event["type"] == "websocket.disconnect":
            return
