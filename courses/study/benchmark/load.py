"""The load of `manage.py bench_heartbeats`, run in its own process(es): learners watching a video on
the lesson page, over real WebSockets (the `websockets` library), no Django.

    python -m courses.study.benchmark.load --setup setup.json --url ws://127.0.0.1:8123 \
        --duration 30 --interval 15 --part 0 --parts 1 --out load-0.json

Each learner opens `ws/study/<lesson>/` with its session cookie and waits for `hello`; its video plays
from that moment. It then sends a `beat` at its own slot of every `--interval` seconds (learner i of
N at i/N of the interval, so the total rate is N/interval a second), from its hello until the end of
the steady phase: `active` is the time since its previous beat and `ranges` exactly the part of the
video played since then ([[p, p + active]], p the position at the previous beat). A beat answered
with an `error` is sent again inside the next one, as the page does.

The steady phase starts once every learner of every part has its hello (the parts meet at a file
barrier in the scratch directory) and lasts `--duration` seconds; the rate and the acknowledgement
times are measured over the beats sent in it. Per learner the output keeps the times the bench needs
to say what it watched (see `manage.py bench_heartbeats`): when the connect began, when the hello
came, when its last acknowledged beat was sent and when that acknowledgement came, and the active
seconds of the beats sent after it (the server may have stored them without the learner seeing the
acknowledgement: it stops waiting after `--drain` seconds, or its socket was closed).
"""

import argparse
import asyncio
import gc
import json
import resource
import time
from pathlib import Path

from websockets.asyncio.client import connect

CONNECT_CONCURRENCY = 50


def raise_fd_limit() -> int:
    """As many descriptors as the hard limit allows (20,000 sockets need more than the default)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Learner:
    __slots__ = (
        "entry",
        "index",
        "c0",
        "s0",
        "sent",
        "active",
        "acked_sent",
        "acked_at",
        "acked_seq",
        "acks",
        "errors",
        "errored",
        "credited",
        "ended",
    )

    def __init__(self, entry: dict, index: int):
        self.entry, self.index = entry, index
        self.c0 = self.s0 = None
        self.sent: dict[int, float] = {}  # seq -> when sent
        self.active: dict[int, float] = {}  # seq -> the active seconds it claimed (carried ones included)
        self.acked_sent = self.acked_at = self.acked_seq = None  # the last acknowledged beat
        self.acks = 0
        self.errors = 0
        self.errored: list[int] = []  # beats answered with an error: not stored, carried into the next
        self.credited = 0
        self.ended = None  # when the socket was closed (or found closed)


class Stats:
    def __init__(self):
        self.latencies: list[float] = []  # ms, beats sent in the steady phase
        self.ramp_latencies: list[float] = []  # ms, beats sent while others were still connecting
        self.steady_sent = 0
        self.ramp_sent = 0
        self.refused: dict[str, int] = {}
        self.error_codes: dict[str, int] = {}
        self.unexpected = 0


async def run_learner(
    lr: Learner, url, origin, kind, duration_video, interval, slot0, steady, stats, ready, stop, drain=120.0
):
    entry = lr.entry
    lr.c0 = time.perf_counter()
    try:
        ws = await connect(
            f"{url}/ws/study/{entry['lesson']}/",
            origin=origin,
            additional_headers={"Cookie": f"sessionid={entry['session']}"},
            compression=None,
            proxy=None,
            open_timeout=300,
            max_queue=None,
        )
        hello = json.loads(await ws.recv())
        lr.s0 = time.perf_counter()
        if hello.get("type") != "hello":
            raise RuntimeError(f"no hello: {str(hello)[:200]}")
    except Exception as exc:
        ready.set_exception(exc)
        raise
    ready.set_result(True)
    retry = asyncio.Event()
    carried = {"active": 0.0, "ranges": []}
    pending: dict[int, tuple[float, list]] = {}  # seq -> (active, ranges) until acknowledged

    async def receive():
        async for raw in ws:
            now = time.perf_counter()
            message = json.loads(raw)
            kind_ = message.get("type")
            seq = message.get("seq")
            if kind_ == "beat.ack" and seq in lr.sent:
                sent = lr.sent[seq]
                pending.pop(seq, None)
                lr.acks += 1
                lr.credited += message.get("credited") or 0
                if lr.acked_sent is None or sent > lr.acked_sent:
                    lr.acked_sent, lr.acked_at, lr.acked_seq = sent, now, seq
                if steady[0] is not None and steady[0] <= sent:
                    stats.latencies.append((now - sent) * 1000)
                else:
                    stats.ramp_latencies.append((now - sent) * 1000)
                if message.get("refused"):
                    stats.refused[message["refused"]] = stats.refused.get(message["refused"], 0) + 1
            elif kind_ == "error":
                code = message.get("code", "?")
                stats.error_codes[code] = stats.error_codes.get(code, 0) + 1
                lr.errors += 1
                if seq in lr.sent:
                    lr.errored.append(seq)
                if seq in pending:  # sent again with the next beat, as the page does
                    active, ranges = pending.pop(seq)
                    carried["active"] += active
                    carried["ranges"] += ranges
                retry.set()
            else:
                stats.unexpected += 1

    receiver = asyncio.create_task(receive())
    try:
        # The first slot after the hello: learner i of N beats at i/N of every interval.
        k = int((lr.s0 - slot0) // interval) + 1
        base, seq = lr.s0, 0
        while True:
            due = slot0 + k * interval
            if stop.is_set() or (steady[1] is not None and due >= steady[1]):
                break
            delay = due - time.perf_counter()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except TimeoutError:
                    pass
            now = time.perf_counter()
            active = now - base
            start, end = base - lr.s0, now - lr.s0
            seq += 1
            ranges = [*carried["ranges"], [start, end]] if kind == "video" else []
            total_active = carried["active"] + active
            carried = {"active": 0.0, "ranges": []}
            position = end if kind == "video" else min(1.0, end / duration_video)
            beat = {
                "type": "beat",
                "seq": seq,
                "position": position,
                "ranges": ranges,
                "active": total_active,
                "visible": True,
            }
            pending[seq] = (total_active, ranges)
            lr.sent[seq], lr.active[seq] = now, total_active
            if steady[0] is not None and steady[0] <= now:  # due before the end (the loop's test)
                stats.steady_sent += 1
            else:
                stats.ramp_sent += 1
            await ws.send(json.dumps(beat, separators=(",", ":")))
            base = now
            k += 1
        # The last acknowledgements.
        deadline = time.perf_counter() + drain
        while pending and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
    finally:
        receiver.cancel()
        lr.ended = time.perf_counter()
        await ws.close()


async def _barrier(scratch: Path, part: int, parts: int) -> float:
    """Every part has all its learners connected: the wall-clock moment the steady phase starts."""
    (scratch / f"ready-{part}").write_text(str(time.time()))
    while True:
        files = [scratch / f"ready-{p}" for p in range(parts)]
        if all(f.exists() for f in files):
            try:
                return max(float(f.read_text()) for f in files) + 2.0
            except ValueError:  # a file being written
                pass
        await asyncio.sleep(0.1)


async def run(args) -> dict:
    setup = json.loads(Path(args.setup).read_text(encoding="utf-8"))
    entries = setup["entries"][: args.learners]
    n, interval = len(entries), args.interval
    kind = setup["kind"] if isinstance(setup["kind"], str) else "video"
    url, origin = args.url, args.url.replace("ws://", "http://")
    mine = [(i, e) for i, e in enumerate(entries) if i % args.parts == args.part]
    stats = Stats()
    stop = asyncio.Event()
    steady: list[float | None] = [None, None]
    # All parts share one slot origin: CLOCK_MONOTONIC is the same clock in every process.
    slot0 = args.slot0
    learners = [Learner(e, i) for i, e in mine]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    tasks, readies = [], []
    t_connect = time.perf_counter()
    for j, lr in enumerate(learners):
        ready = asyncio.get_running_loop().create_future()
        readies.append(ready)
        offset = lr.index * interval / n
        async with gate:
            task = run_learner(
                lr,
                url,
                origin,
                kind,
                setup["duration"],
                interval,
                slot0 + offset,
                steady,
                stats,
                ready,
                stop,
                args.drain,
            )
            tasks.append(asyncio.create_task(task))
            if (j + 1) % CONNECT_CONCURRENCY == 0:
                await asyncio.wait(readies[-CONNECT_CONCURRENCY:], timeout=300)
    await asyncio.wait(readies, timeout=600)
    connected = sum(1 for r in readies if r.done() and not r.exception())
    refused = len(readies) - connected
    connect_s = time.perf_counter() - t_connect
    # The load must not stall while it measures: with thousands of sockets its own garbage collections
    # took 100 ms and more (nothing to free), and acknowledgements that arrived meanwhile were timed
    # late. So everything so far is frozen and the collector waits until the steady phase is over.
    gc.collect()
    gc.freeze()
    gc.disable()

    start_wall = await _barrier(Path(args.scratch), args.part, args.parts)
    t0 = time.perf_counter() + (start_wall - time.time())
    steady[0], steady[1] = t0, t0 + args.duration
    await asyncio.sleep(max(0.0, steady[1] - time.perf_counter()))
    stop.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    gc.enable()
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {
        "learners": len(learners),
        "connected": connected,
        "refused": refused,
        "connect_s": round(connect_s, 1),
        "t0": t0,
        "wall_minus_perf": time.time() - time.perf_counter(),  # to compare with the server's records
        "steady_s": args.duration,
        "steady_sent": stats.steady_sent,
        "ramp_sent": stats.ramp_sent,
        "latencies": stats.latencies,
        "ramp_latencies": stats.ramp_latencies,
        "refused_codes": stats.refused,
        "error_codes": stats.error_codes,
        "unexpected": stats.unexpected,
        "socket_failures": len(failures),
        "first_failure": failures[0][:300] if failures else None,
        "per_learner": [
            {
                "learner": lr.entry["learner"],
                "c0": lr.c0,
                "s0": lr.s0,
                "acked_sent": lr.acked_sent,
                "acked_at": lr.acked_at,
                "sent": len(lr.sent),
                "acks": lr.acks,
                "errors": lr.errors,
                "credited": lr.credited,
                "acked_seq": lr.acked_seq,
                # Beats sent after the last acknowledged one and not answered with an error: the server
                # may have stored them without the acknowledgement reaching the learner (seq, active).
                "unacked": [
                    [seq, round(lr.active[seq], 3)]
                    for seq in sorted(lr.sent)
                    if (lr.acked_seq is None or seq > lr.acked_seq) and seq not in lr.errored
                ],
                "ended": lr.ended,
            }
            for lr in learners
        ],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--learners", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--interval", type=float, default=15)
    parser.add_argument("--part", type=int, default=0)
    parser.add_argument("--parts", type=int, default=1)
    parser.add_argument("--slot0", type=float, required=True, help="time.perf_counter() origin of the slots")
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for the last acknowledgements")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    raise_fd_limit()
    result = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
