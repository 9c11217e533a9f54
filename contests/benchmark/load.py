"""The load of `manage.py bench_round`, run in its own process: contestants answering at a steady
pace and scoreboard viewers, over real WebSockets (the `websockets` library), no Django.

    python -m contests.benchmark.load --setup setup.json --url ws://127.0.0.1:8123 \
        --duration 30 --rate 1000 --out result.json

Viewers connect first, to /ws/rounds/<id>/board/ (the default top view), and time every
`scoreboard.top`. Then the start storm: every contestant connects to /ws/rounds/<id>/contestant/ with
its session cookie within --storm seconds (evenly spread, no limit on how many are under way), as at
9:00:00 on the day, and times connect → `hello` carrying the paper (`storm_paper_*`; a connection
that fails or brings no paper counts in `storm_refused`). After a pause, the answers phase: each
sends `answer.save` every N/rate seconds (staggered) and times the `answer.ack`. With --server-pid
the server's CPU time (utime + stime from /proc) is read around the storm and the answers phase.

Staleness is from a score change being stored (the row's `reached_at`, the server's clock on this
same host) to a viewer receiving the message that first shows it. A row counts when its
`reached_at` is later than the `at` of the previous message (when the server read the board) and
its own change put it in view: it was shown already, or its total beats the lowest shown before.
A row that only moved into view because others dropped changed earlier, out of sight; counting it
from that earlier moment measured how long the others took to drop, up to seconds. To keep the load process
light, every viewer records (seq, time received) from the frame's first bytes, and a few viewers
parse frames fully to learn which rows are new in each seq; the two are joined at the end.
"""

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import random
import re
import resource
import signal
import time
import uuid
from pathlib import Path

from websockets.asyncio.client import connect

SEQ = re.compile(r'"type":"scoreboard\.top","view":"top","seq":(\d+)')
PARSERS = 10  # viewers that parse every frame
TOP_ROWS = 20
CONNECT_CONCURRENCY = 50


def _ts(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()


def _answer(question: dict):
    if question["kind"] == "true_false":
        return random.random() < 0.5  # noqa: S311
    return [random.choice(question["options"])]  # noqa: S311


def _cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of a process (/proc/<pid>/stat), or None without a pid."""
    if not pid:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _queries(pid: int | None, path: str | None) -> int | None:
    """The statements the server has sent so far (config.live_server.count_queries), or None."""
    if not pid or not path:
        return None
    target = Path(path)
    before = target.stat().st_mtime_ns if target.exists() else None
    os.kill(pid, signal.SIGUSR1)
    for _attempt in range(100):
        if target.exists() and target.stat().st_mtime_ns != before and target.read_text():
            return int(target.read_text())
        time.sleep(0.02)
    return None


def _cores(cpu_before: float | None, cpu_after: float | None, wall: float) -> float | None:
    if cpu_before is None or cpu_after is None or wall <= 0:
        return None
    return round((cpu_after - cpu_before) / wall, 3)


class Stats:
    def __init__(self):
        self.paper_ms: list[float] = []  # start storm: connect → hello with the paper
        self.sent: dict[str, float] = {}
        self.acks: dict[str, float] = {}  # client id -> latency in ms
        self.acked_at: dict[str, float] = {}
        self.rejected: dict[str, str] = {}
        self.errors = 0
        self.frames: list[list[tuple[int, float]]] = []  # per viewer: (seq, received)
        self.new_rows: dict[int, list[float]] = {}  # seq -> reached_at of rows new in it
        self.disconnects = 0
        self.last_ack = 0.0


async def contestant(url, origin, cookie, round_id, questions, stats, start, period, offset, stop, done, ready, at):
    headers = {"Cookie": f"sessionid={cookie}"}
    path = f"{url}/ws/rounds/{round_id}/contestant/"
    await asyncio.sleep(max(0.0, at - time.perf_counter()))  # this contestant's moment in the storm
    began = time.perf_counter()
    try:
        ws = await connect(
            path,
            origin=origin,
            additional_headers=headers,
            compression=None,
            proxy=None,
            open_timeout=120,
            max_queue=None,
        )
        hello = json.loads(await ws.recv())
        if hello.get("type") != "hello" or not hello.get("paper"):
            raise RuntimeError(f"no paper in hello: {str(hello)[:200]}")
    except Exception as exc:
        ready.set_exception(exc)
        raise
    stats.paper_ms.append((time.perf_counter() - began) * 1000)
    ready.set_result(True)
    async with ws:

        async def receive():
            async for raw in ws:
                message = json.loads(raw)
                kind = message.get("type")
                now = time.perf_counter()
                if kind == "answer.ack":
                    cid = message["client_id"]
                    if cid in stats.sent and cid not in stats.acks:
                        stats.acks[cid] = (now - stats.sent[cid]) * 1000
                        stats.acked_at[cid] = now
                        stats.last_ack = now
                elif kind == "answer.rejected":
                    stats.rejected[message.get("client_id")] = message["code"]
                elif kind == "error":
                    stats.errors += 1

        receiver = asyncio.create_task(receive())
        await start.wait()
        begin = time.perf_counter() + offset
        n = 0
        while not stop.is_set():
            due = begin + n * period
            delay = due - time.perf_counter()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except TimeoutError:
                    pass
            question = random.choice(questions)  # noqa: S311
            cid = str(uuid.uuid4())
            stats.sent[cid] = time.perf_counter()
            await ws.send(
                json.dumps(
                    {
                        "type": "answer.save",
                        "client_id": cid,
                        "question_id": question["id"],
                        "answer": _answer(question),
                    }
                )
            )
            n += 1
        await done.wait()  # keep the socket open for the last acknowledgements
        receiver.cancel()


async def viewer(url, origin, round_id, index, stats, done):
    frames: list[tuple[int, float]] = []
    stats.frames.append(frames)
    parse = index < PARSERS
    async with connect(
        f"{url}/ws/rounds/{round_id}/board/",
        origin=origin,
        compression=None,
        proxy=None,
        open_timeout=120,
        max_queue=None,
    ) as ws:
        snapshot = json.loads(await ws.recv())
        previous_at = time.time()
        seen = {(r["entry"], r["reached_at"]) for r in snapshot.get("rows", [])}
        shown, floor = _view(snapshot.get("rows", []))
        try:
            while not done.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                received = time.time()
                match = SEQ.match(raw, 1)
                if match is None:
                    continue
                seq = int(match.group(1))
                frames.append((seq, received))
                if parse:
                    message = json.loads(raw)
                    fresh = []
                    for row in message["rows"]:
                        key = (row["entry"], row["reached_at"])
                        own_change = row["entry"] in shown or float(row["total"]) > floor
                        if key not in seen and _ts(row["reached_at"]) > previous_at and own_change:
                            fresh.append(_ts(row["reached_at"]))
                        seen.add(key)
                    previous_at = _ts(message["at"])
                    shown, floor = _view(message["rows"])
                    stats.new_rows.setdefault(seq, fresh)
        except Exception:  # noqa: BLE001 - a dropped viewer is counted, not fatal
            stats.disconnects += 1


class _GcPauses:
    def __init__(self):
        self.started, self.longest_ms = 0.0, 0.0

    def callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.longest_ms = max(self.longest_ms, (time.perf_counter() - self.started) * 1000)


def _gc_pauses() -> _GcPauses:
    pauses = _GcPauses()
    gc.callbacks.append(pauses.callback)
    return pauses


def _view(rows: list[dict]) -> tuple[set[int], float]:
    """The entries a top view shows, and the total a row must beat to enter it."""
    floor = float(rows[-1]["total"]) if len(rows) >= TOP_ROWS else float("-inf")
    return {r["entry"] for r in rows}, floor


def _pct(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(pct / 100 * len(ordered)))], 1)


async def run(args) -> dict:
    setup = json.loads(Path(args.setup).read_text(encoding="utf-8"))
    url, origin = args.url, args.url.replace("ws://", "http://")
    round_id, questions = setup["round"], setup["questions"]
    cookies = setup["sessions"][: args.contestants]
    stats = Stats()
    start, stop, done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    period = len(cookies) / args.rate

    t_connect = time.perf_counter()
    viewers = []

    async def open_viewer(i):
        async with gate:
            task = asyncio.create_task(viewer(url, origin, round_id, i, stats, done))
            await asyncio.sleep(0.01)
            return task

    viewers = [await open_viewer(i) for i in range(args.viewers)]
    viewers_connect_s = time.perf_counter() - t_connect
    await asyncio.sleep(1)  # the viewers' snapshots out of the way

    # The start storm: every contestant within `storm` seconds, nothing held back.
    contestants, readies = [], []
    queries_storm = _queries(args.server_pid, getattr(args, "queries", None))
    cpu_storm = _cpu_seconds(args.server_pid)
    t_storm = time.perf_counter()
    for i, cookie in enumerate(cookies):
        ready = asyncio.get_running_loop().create_future()
        readies.append(ready)
        at = t_storm + i * args.storm / len(cookies)
        offset = i * period / len(cookies)  # answers evenly staggered
        task = contestant(url, origin, cookie, round_id, questions, stats, start, period, offset, stop, done, ready, at)
        contestants.append(asyncio.create_task(task))
    await asyncio.wait(readies, timeout=300)
    storm_s = time.perf_counter() - t_storm
    cpu_stormed = _cpu_seconds(args.server_pid)
    queries_stormed = _queries(args.server_pid, getattr(args, "queries", None))
    storm_cpu = _cores(cpu_storm, cpu_stormed, storm_s)
    connected = sum(1 for r in readies if r.done() and not r.exception())
    storm_failures = [repr(r.exception()) for r in readies if r.done() and r.exception()]
    await asyncio.sleep(2)  # let the board settle after the connection burst
    # The clients' own full garbage collections over thousands of sockets stalled this process for
    # ~0.4 s every few seconds and showed up as server latency: keep what exists out of them.
    gc.collect()
    gc.freeze()
    pauses = _gc_pauses()

    cpu0, load_cpu0 = _cpu_seconds(args.server_pid), time.process_time()
    t0 = time.perf_counter()
    start.set()
    await asyncio.sleep(args.duration)
    stop.set()
    steady_s = time.perf_counter() - t0
    server_cpu_cores = _cores(cpu0, _cpu_seconds(args.server_pid), steady_s)
    load_cpu_cores = round((time.process_time() - load_cpu0) / steady_s, 3)
    deadline = time.perf_counter() + args.grace
    while len(stats.acks) + len(stats.rejected) < len(stats.sent) and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    cpu_drained = _cpu_seconds(args.server_pid)  # every answer of the phase handled
    await asyncio.sleep(1.0)  # the last board messages
    done.set()
    outcomes = await asyncio.gather(*contestants, *viewers, return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    gc.callbacks.remove(pauses.callback)

    staleness = [
        (received - reached) * 1000
        for frames in stats.frames
        for seq, received in frames
        for reached in stats.new_rows.get(seq, ())
    ]
    acks = list(stats.acks.values())
    timeline: dict[int, list[float]] = {}  # second of the steady phase -> ack latencies sent then
    for cid, latency in stats.acks.items():
        timeline.setdefault(int(stats.sent[cid] - t0), []).append(latency)
    stale_timeline: dict[int, list[float]] = {}  # second of the steady phase -> staleness seen then
    wall0 = time.time() - (time.perf_counter() - t0)
    for frames in stats.frames:
        for seq, received in frames:
            for reached in stats.new_rows.get(seq, ()):
                stale_timeline.setdefault(int(received - wall0), []).append((received - reached) * 1000)
    return {
        "connected": connected,
        "viewers_connect_s": round(viewers_connect_s, 1),
        "storm_contestants": len(cookies),
        "storm_s": round(storm_s, 2),
        "storm_paper_p50_ms": _pct(stats.paper_ms, 50),
        "storm_paper_p99_ms": _pct(stats.paper_ms, 99),
        "storm_paper_max_ms": round(max(stats.paper_ms), 1) if stats.paper_ms else None,
        "storm_refused": len(cookies) - len(stats.paper_ms),
        "storm_first_refusal": storm_failures[0][:300] if storm_failures else None,
        "storm_server_cpu_cores": storm_cpu,
        "server_cpu_ms_per_connect": (
            round((cpu_stormed - cpu_storm) * 1000 / connected, 3) if cpu_storm is not None and connected else None
        ),
        "server_cpu_cores": server_cpu_cores,
        "server_cpu_per_answer_ms": (
            round((cpu_drained - cpu0) * 1000 / len(stats.sent), 3) if cpu0 is not None and stats.sent else None
        ),
        "queries_per_connect": (
            round((queries_stormed - queries_storm) / connected, 2)
            if queries_storm is not None and queries_stormed is not None and connected
            else None
        ),
        "load_cpu_cores": load_cpu_cores,
        "steady_s": round(steady_s, 1),
        "sent": len(stats.sent),
        "acked": len(stats.acks),
        "rejected": len(stats.rejected),
        "unacked": len(stats.sent) - len(stats.acks) - len(stats.rejected),
        "rejected_codes": sorted(set(stats.rejected.values())),
        "answers_per_s": round(len(stats.sent) / steady_s, 1),
        "served_per_s": round(len(stats.acks) / max(stats.last_ack - t0, steady_s), 1),
        "ack_p50_ms": _pct(acks, 50),
        "ack_p99_ms": _pct(acks, 99),
        "staleness_p50_ms": _pct(staleness, 50),
        "staleness_p99_ms": _pct(staleness, 99),
        "staleness_samples": len(staleness),
        "board_frames": sum(len(f) for f in stats.frames),
        "viewer_disconnects": stats.disconnects,
        "errors": stats.errors,
        "socket_failures": len(failures),
        "load_gc_pause_max_ms": round(pauses.longest_ms, 1),
        "first_failure": failures[0][:300] if failures else None,
        "ack_timeline": {s: [len(v), _pct(v, 50), _pct(v, 99), round(max(v), 1)] for s, v in sorted(timeline.items())},
        "staleness_timeline": {
            s: [len(v), _pct(v, 50), _pct(v, 99), round(max(v), 1)] for s, v in sorted(stale_timeline.items())
        },
        "sent_ids": list(stats.sent),
        "rejected_ids": [c for c in stats.rejected if c],
        "acked_ids": list(stats.acks),
    }


def _open_files_limit() -> None:
    """Thousands of sockets: lift this process's soft limit on open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--contestants", type=int, required=True)
    parser.add_argument("--viewers", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--grace", type=float, default=120, help="seconds to wait for the last acks")
    parser.add_argument("--storm", type=float, default=1.0, help="seconds over which all contestants connect")
    parser.add_argument("--server-pid", type=int, default=None, help="the server's pid, for its CPU time")
    parser.add_argument("--queries", default=None, help="the server's statement count file (SIGUSR1 writes it)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    _open_files_limit()
    result = asyncio.run(run(args))
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
