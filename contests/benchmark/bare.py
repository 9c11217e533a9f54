"""The baseline of `manage.py bench_round`: a bare `websockets` server, no Django, no database, no
channel layer, that acknowledges answers and broadcasts the board with the same message shapes and
the same coalescing (first change after a quiet period after 20 ms, then at most every 250 ms; the
top 20 rows, serialised once and written to every viewer). It grades with the keys from setup.json,
so the board changes as often as the real one.

    python -m contests.benchmark.bare --setup setup.json --port 8124 --stored stored.json
"""

import argparse
import asyncio
import datetime as dt
import json
import signal
from pathlib import Path

from websockets.asyncio.server import broadcast, serve

FLUSH, FIRST, TOP = 0.25, 0.02, 20


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _ack(cid, qid, *, duplicate: bool) -> dict:
    return {
        "type": "answer.ack",
        "client_id": cid,
        "question_id": qid,
        "revision": 1,
        "saved_at": _now(),
        "duplicate": duplicate,
    }


def _dumps(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class Bare:
    """The round's state and message handling, whatever serves the sockets: `websockets` here, Daphne
    in contests.benchmark.bare_asgi (`broadcast(sockets, text)` writes one text to many)."""

    def __init__(self, setup: dict, broadcast=broadcast):
        self.broadcast = broadcast
        self.round = setup["round"]
        self.paper = setup["paper"]
        self.keys = {q["id"]: q["key"] for q in setup["questions"]}
        self.by_cookie = {e["session"]: e for e in setup["entries"]}
        now = _now()
        self.rows = {
            e["entry"]: {
                "entry": e["entry"],
                "name": e["name"],
                "organisation": e["organisation"],
                "province": e["province"],
                "province_name": e["province_name"],
                "theory": "0.0",
                "practical": "0.00",
                "total": "0.00",
                "tasks": {},
                "reached_at": now,
            }
            for e in setup["entries"]
        }
        self.correct: dict[int, dict[int, bool]] = {}
        self.stored: dict[str, int] = {}
        self.viewers = set()
        self.seq = 0
        self.sent_top = None
        self.timer = None
        self.last_flush = float("-inf")
        self.max_score = 10 * len(self.keys)

    def top(self) -> list[dict]:
        ordered = sorted(self.rows.values(), key=lambda r: (-float(r["total"]), r["reached_at"], r["entry"]))[:TOP]
        out, previous, rank = [], None, 0
        for position, row in enumerate(ordered, start=1):
            if (row["total"], row["reached_at"]) != previous:
                rank, previous = position, (row["total"], row["reached_at"])
            out.append({**row, "rank": rank})
        return out

    def meta(self) -> dict:
        return {
            "round": self.round,
            "audience": "public",
            "status": "running",
            "frozen": False,
            "freeze_at": None,
            "reveal_cursor": 0,
            "entries": len(self.rows),
        }

    def mark(self) -> None:
        if self.timer is not None:
            return
        loop = asyncio.get_running_loop()
        delay = max(FIRST, FLUSH - (loop.time() - self.last_flush))
        self.timer = loop.call_later(delay, self.flush)

    def flush(self) -> None:
        self.timer = None
        self.last_flush = asyncio.get_running_loop().time()
        top = self.top()
        if top == self.sent_top:
            return
        self.sent_top = top
        message = {
            "type": "scoreboard.top",
            "view": "top",
            "seq": self.seq,
            "at": _now(),
            "rows": top,
            "revealed": [],
            **self.meta(),
        }
        self.broadcast(self.viewers, _dumps(message))

    def save(self, entry: dict, message: dict) -> dict:
        cid, qid = message.get("client_id"), message.get("question_id")
        if cid in self.stored:
            return _ack(cid, qid, duplicate=True)
        if qid not in self.keys:
            return {
                "type": "answer.rejected",
                "client_id": cid,
                "question_id": qid,
                "code": "unknown_question",
                "message": "unknown",
            }
        self.stored[cid] = entry["entry"]
        marks = self.correct.setdefault(entry["entry"], {})
        right = message.get("answer") == self.keys[qid]
        if marks.get(qid, False) != right:
            marks[qid] = right
            theory = 10 * sum(marks.values())
            row = self.rows[entry["entry"]]
            row["theory"] = f"{theory:.1f}"
            row["total"] = f"{theory * 100 / self.max_score:.2f}"
            row["reached_at"] = _now()
            self.seq += 1
            self.mark()
        return _ack(cid, qid, duplicate=False)

    async def handler(self, ws) -> None:
        path = ws.request.path
        if "/contestant/" in path:
            cookie = ws.request.headers.get("Cookie", "").partition("sessionid=")[2].split(";")[0]
            entry = self.by_cookie.get(cookie)
            if entry is None:
                await ws.close(4403)
                return
            await ws.send(
                _dumps(
                    {
                        "type": "hello",
                        "entry": entry["entry"],
                        "epoch": 1,
                        "state": {},
                        "paper": self.paper,
                        "answers": {},
                        "announcements": [],
                        "mine": None,
                    }
                )
            )
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "answer.save":
                    await ws.send(_dumps(self.save(entry, message)))
                elif message.get("type") == "ping":
                    await ws.send(_dumps({"type": "pong", "t": message.get("t"), "server_time": _now()}))
        elif "/board/" in path:
            self.viewers.add(ws)
            try:
                await ws.send(
                    _dumps(
                        {
                            "type": "scoreboard.snapshot",
                            "view": "top",
                            "seq": self.seq,
                            "tasks": [],
                            "rows": self.top(),
                            **self.meta(),
                        }
                    )
                )
                await ws.wait_closed()
            finally:
                self.viewers.discard(ws)
        else:
            await ws.close(4404)


def stored_write(bare: Bare, path) -> None:
    Path(path).write_text(json.dumps(list(bare.stored)), encoding="utf-8")


async def main_async(args) -> None:
    bare = Bare(json.loads(Path(args.setup).read_text(encoding="utf-8")))
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    # The same accept queue as Daphne's (config.live_server.LISTEN_BACKLOG), so a start storm meets the same kernel.
    async with serve(bare.handler, "127.0.0.1", args.port, compression=None, max_queue=None, backlog=4096):
        await stop
    stored_write(bare, args.stored)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stored", required=True)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
