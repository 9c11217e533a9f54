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

Several servers (`--url` repeated, `bench_round --servers K`): contestant i and viewer j use server
i mod K and j mod K; sequence numbers are the round's (stored), so frames from any server join.
Staleness is also split by where the change came from: `staleness_cross_*` counts a row whose
contestant is on another server than the viewer (its change travelled through the channel layer).
With several --server-pid, CPU figures are summed, and given per server in `*_each`.

`--resend` makes contestants behave as contest-console.js does when a service fails: a `retry` or
`rate_limited` reply resends the same client id after 0.5 s, and a closed socket is reopened and
every unacknowledged save sent again. `--phase-file` names a JSON file this process writes when the
answers phase starts and ends (wall clock), for `bench_round --fault` to time its outage; the
outage it then writes beside it (`<phase-file>.fault`: down, up, the board's sequence at up) is read
at the end to count answers acknowledged during it and each viewer's time to converge after it.
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
from websockets.exceptions import ConnectionClosed

SEQ = re.compile(r'"type":"scoreboard\.top","view":"top","seq":(\d+)')
PARSERS = 10  # viewers that parse every frame
TOP_ROWS = 20
CONNECT_CONCURRENCY = 50
RESENT_CODES = ("retry", "rate_limited")  # with --resend: sent again, as the console does
RESEND_AFTER = 0.5


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
        # (server, seq) -> (reached_at, entry) of the rows new in it; per server, as a bare server numbers its own
        self.new_rows: dict[tuple[int, int], list[tuple[float, int]]] = {}
        self.disconnects = 0
        self.last_ack = 0.0
        self.frame_server: list[int] = []  # per viewer: the index of its server
        self.retries = 0  # `retry` replies (with --resend, each save is sent again)
        self.reconnects = 0


async def _open_console(path, origin, headers):
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
        await ws.close()
        raise RuntimeError(f"no paper in hello: {str(hello)[:200]}")
    return ws


async def contestant(
    url, origin, cookie, round_id, questions, stats, start, period, offset, stop, done, ready, at, resend=False
):
    headers = {"Cookie": f"sessionid={cookie}"}
    path = f"{url}/ws/rounds/{round_id}/contestant/"
    await asyncio.sleep(max(0.0, at - time.perf_counter()))  # this contestant's moment in the storm
    began = time.perf_counter()
    try:
        ws = await _open_console(path, origin, headers)
    except Exception as exc:
        ready.set_exception(exc)
        raise
    stats.paper_ms.append((time.perf_counter() - began) * 1000)
    ready.set_result(True)
    link = [ws]  # the open socket (with --resend, reopened when it closes)
    pending: dict[str, str] = {}  # with --resend: client id -> frame, until acknowledged or refused

    async def send(frame: str) -> None:
        try:
            await link[0].send(frame)
        except ConnectionClosed:
            if not resend:
                raise  # with --resend the frame is pending and goes again on the new socket

    async def send_later(cid: str) -> None:
        await asyncio.sleep(RESEND_AFTER)
        if cid in pending:
            await send(pending[cid])

    async def reopen() -> None:
        while not done.is_set():
            try:
                link[0] = await _open_console(path, origin, headers)
            except Exception:  # noqa: BLE001 - refused or no paper while a service is down: again
                await asyncio.sleep(RESEND_AFTER)
                continue
            stats.reconnects += 1
            for frame in list(pending.values()):
                await send(frame)
            return

    async with ws:
        later: set[asyncio.Task] = set()

        async def receive():
            while True:
                try:
                    async for raw in link[0]:
                        message = json.loads(raw)
                        kind = message.get("type")
                        now = time.perf_counter()
                        if kind == "answer.ack":
                            cid = message["client_id"]
                            pending.pop(cid, None)
                            if cid in stats.sent and cid not in stats.acks:
                                stats.acks[cid] = (now - stats.sent[cid]) * 1000
                                stats.acked_at[cid] = now
                                stats.last_ack = now
                        elif kind == "answer.rejected" and resend and message["code"] in RESENT_CODES:
                            stats.retries += message["code"] == "retry"
                            task = asyncio.create_task(send_later(message.get("client_id")))
                            later.add(task)
                            task.add_done_callback(later.discard)
                        elif kind == "answer.rejected":
                            pending.pop(message.get("client_id"), None)
                            stats.rejected[message.get("client_id")] = message["code"]
                        elif kind == "error":
                            stats.errors += 1
                except ConnectionClosed:
                    if not resend:
                        raise
                if not resend or done.is_set():
                    return
                await reopen()

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
            frame = json.dumps(
                {
                    "type": "answer.save",
                    "client_id": cid,
                    "question_id": question["id"],
                    "answer": _answer(question),
                }
            )
            if resend:
                pending[cid] = frame
            await send(frame)
            n += 1
        await done.wait()  # keep the socket open for the last acknowledgements
        receiver.cancel()
        for task in list(later):
            task.cancel()
        if link[0] is not ws:
            await link[0].close()


async def viewer(url, origin, round_id, index, stats, done, server=0):
    frames: list[tuple[int, float]] = []
    stats.frames.append(frames)
    stats.frame_server.append(server)
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
                            fresh.append((_ts(row["reached_at"]), row["entry"]))
                        seen.add(key)
                    previous_at = _ts(message["at"])
                    shown, floor = _view(message["rows"])
                    stats.new_rows.setdefault((server, seq), fresh)
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
    urls = args.url if isinstance(args.url, list) else [args.url]
    origins = [u.replace("ws://", "http://") for u in urls]
    pids = _listed(args.server_pid)
    resend, phase_file = getattr(args, "resend", False), getattr(args, "phase_file", None)
    round_id, questions = setup["round"], setup["questions"]
    cookies = setup["sessions"][: args.contestants]
    entry_server = {e["entry"]: i % len(urls) for i, e in enumerate(setup["entries"][: args.contestants])}
    stats = Stats()
    start, stop, done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    period = len(cookies) / args.rate

    t_connect = time.perf_counter()
    viewers = []

    async def open_viewer(i):
        async with gate:
            k = i % len(urls)
            task = asyncio.create_task(viewer(urls[k], origins[k], round_id, i, stats, done, k))
            await asyncio.sleep(0.01)
            return task

    viewers = [await open_viewer(i) for i in range(args.viewers)]
    viewers_connect_s = time.perf_counter() - t_connect
    await asyncio.sleep(1)  # the viewers' snapshots out of the way

    # The start storm: every contestant within `storm` seconds, nothing held back.
    contestants, readies = [], []
    query_pid = pids[0] if len(pids) == 1 else None  # one server's statements are counted
    queries_storm = _queries(query_pid, getattr(args, "queries", None))
    cpu_storm = _cpu_all(pids)
    t_storm = time.perf_counter()
    for i, cookie in enumerate(cookies):
        ready = asyncio.get_running_loop().create_future()
        readies.append(ready)
        at = t_storm + i * args.storm / len(cookies)
        offset = i * period / len(cookies)  # answers evenly staggered
        k = i % len(urls)
        task = contestant(
            urls[k],
            origins[k],
            cookie,
            round_id,
            questions,
            stats,
            start,
            period,
            offset,
            stop,
            done,
            ready,
            at,
            resend,
        )
        contestants.append(asyncio.create_task(task))
    await asyncio.wait(readies, timeout=300)
    storm_s = time.perf_counter() - t_storm
    cpu_stormed = _cpu_all(pids)
    queries_stormed = _queries(query_pid, getattr(args, "queries", None))
    storm_cpu_each = _cores_each(cpu_storm, cpu_stormed, storm_s)
    connected = sum(1 for r in readies if r.done() and not r.exception())
    storm_failures = [repr(r.exception()) for r in readies if r.done() and r.exception()]
    await asyncio.sleep(2)  # let the board settle after the connection burst
    # The clients' own full garbage collections over thousands of sockets stalled this process for
    # ~0.4 s every few seconds and showed up as server latency: keep what exists out of them.
    gc.collect()
    gc.freeze()
    pauses = _gc_pauses()

    cpu0, load_cpu0 = _cpu_all(pids), time.process_time()
    t0 = time.perf_counter()
    start.set()
    _phase(phase_file, answers_start=time.time())
    await asyncio.sleep(args.duration)
    stop.set()
    _phase(phase_file, answers_end=time.time())
    steady_s = time.perf_counter() - t0
    cpu_each = _cores_each(cpu0, _cpu_all(pids), steady_s)
    load_cpu_cores = round((time.process_time() - load_cpu0) / steady_s, 3)
    deadline = time.perf_counter() + args.grace
    while len(stats.acks) + len(stats.rejected) < len(stats.sent) and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    cpu_drained = _cpu_all(pids)  # every answer of the phase handled
    await asyncio.sleep(1.0)  # the last board messages
    done.set()
    outcomes = await asyncio.gather(*contestants, *viewers, return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    gc.callbacks.remove(pauses.callback)

    staleness, cross, same = [], [], []
    for v, frames in enumerate(stats.frames):
        for seq, received in frames:
            for reached, entry in stats.new_rows.get((stats.frame_server[v], seq), ()):
                ms = (received - reached) * 1000
                staleness.append(ms)
                (cross if entry_server.get(entry) != stats.frame_server[v] else same).append(ms)
    acks = list(stats.acks.values())
    timeline: dict[int, list[float]] = {}  # second of the steady phase -> ack latencies sent then
    for cid, latency in stats.acks.items():
        timeline.setdefault(int(stats.sent[cid] - t0), []).append(latency)
    stale_timeline: dict[int, list[float]] = {}  # second of the steady phase -> staleness seen then
    wall0 = time.time() - (time.perf_counter() - t0)
    for v, frames in enumerate(stats.frames):
        for seq, received in frames:
            for reached, _entry in stats.new_rows.get((stats.frame_server[v], seq), ()):
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
        "storm_server_cpu_cores": _total(storm_cpu_each),
        "server_cpu_ms_per_connect": (
            round((sum(cpu_stormed) - sum(cpu_storm)) * 1000 / connected, 3) if cpu_storm and connected else None
        ),
        "server_cpu_cores": _total(cpu_each),
        "server_cpu_per_answer_ms": (
            round((sum(cpu_drained) - sum(cpu0)) * 1000 / len(stats.sent), 3) if cpu0 and stats.sent else None
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
        "servers": len(urls),
        "storm_server_cpu_cores_each": storm_cpu_each,
        "server_cpu_cores_each": cpu_each,
        "staleness_same_p50_ms": _pct(same, 50),
        "staleness_same_p99_ms": _pct(same, 99),
        "staleness_cross_p50_ms": _pct(cross, 50),
        "staleness_cross_p99_ms": _pct(cross, 99),
        "staleness_cross_samples": len(cross),
        "retries": stats.retries,
        "reconnects": stats.reconnects,
        **_outage(phase_file, stats, t0, wall0),
        "sent_ids": list(stats.sent),
        "rejected_ids": [c for c in stats.rejected if c],
        "acked_ids": list(stats.acks),
    }


def _listed(value) -> list:
    """An option given once, several times (append) or not at all, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _cpu_all(pids: list[int]) -> list[float] | None:
    return [_cpu_seconds(p) for p in pids] if pids else None


def _cores_each(before: list[float] | None, after: list[float] | None, wall: float) -> list[float] | None:
    if not before or not after:
        return None
    return [_cores(b, a, wall) for b, a in zip(before, after, strict=True)]


def _total(each: list[float] | None) -> float | None:
    return round(sum(each), 3) if each else None


def _phase(path: str | None, **marks: float) -> None:
    """Add wall-clock marks to the phase file (bench_round --fault times its outage by them)."""
    if not path:
        return
    target = Path(path)
    current = json.loads(target.read_text()) if target.exists() else {}
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(current | marks))
    tmp.replace(target)


def _outage(phase_file: str | None, stats: Stats, t0: float, wall0: float) -> dict:
    """With an outage written beside the phase file: answers acknowledged while the service was down,
    and how long after it returned each viewer first got a board newer than the database held then
    (`board_converged_s`: the slowest viewer; `viewers_not_converged`: those that never did)."""
    path = Path(f"{phase_file}.fault") if phase_file else None
    if path is None or not path.exists():
        return {}
    fault = json.loads(path.read_text())
    down, up, seq_up = fault["down"], fault["up"], fault["seq_up"]
    acked_during = sum(1 for at in stats.acked_at.values() if down <= wall0 + (at - t0) <= up)
    waits = []
    for frames in stats.frames:
        first = next((received for seq, received in frames if received >= up and seq > seq_up), None)
        waits.append(None if first is None else first - up)
    converged = [w for w in waits if w is not None]
    return {
        "outage_s": round(up - down, 2),
        "acked_during_outage": acked_during,
        "board_converged_s": round(max(converged), 2) if converged else None,
        "board_converged_p50_s": round(sorted(converged)[len(converged) // 2], 2) if converged else None,
        "viewers_not_converged": len(waits) - len(converged),
    }


def _open_files_limit() -> None:
    """Thousands of sockets: lift this process's soft limit on open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", required=True)
    parser.add_argument("--url", required=True, action="append", help="a server; repeated: several")
    parser.add_argument("--contestants", type=int, required=True)
    parser.add_argument("--viewers", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--grace", type=float, default=120, help="seconds to wait for the last acks")
    parser.add_argument("--storm", type=float, default=1.0, help="seconds over which all contestants connect")
    parser.add_argument(
        "--server-pid", type=int, action="append", help="a server's pid, for its CPU time (repeated: several)"
    )
    parser.add_argument("--resend", action="store_true", help="resend on retry and reopen closed sockets")
    parser.add_argument("--phase-file", default=None, help="write the answers phase's start and end here")
    parser.add_argument("--queries", default=None, help="the server's statement count file (SIGUSR1 writes it)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    _open_files_limit()
    result = asyncio.run(run(args))
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
