"""Load-test tracked study: real Daphne, N learners watching a video and sending heartbeats over the
lesson socket; then the ledger read back; then the same load against a bare ASGI endpoint.

    python manage.py bench_heartbeats --learners 2000 --duration 30 [--interval 15] [--servers 1] [--kind video|text]

1. A child process (this command with --prepare) migrates a scratch SQLite database in a temporary
   directory (the embedded default: no DATABASE_URL, no REDIS_URL) and creates courses with one video
   lesson each (a video row with a known duration), N learners enrolled, and their sessions.
2. Daphne (config.asgi:application) serves that database; `courses.study.benchmark.load`, in other
   processes (--parts, each under the 20,000-descriptor limit), connects every learner, waits for
   every `hello`, and for --duration seconds each learner sends a beat every --interval seconds
   (N/interval a second in total) and times its `beat.ack`.
3. The ledger is read back (StudyDay per learner, LessonStudy): see `verify` for what is expected.
4. `courses.study.benchmark.bare`, a bare ASGI app on the same Daphne, takes the same load.

With --servers K, K Daphne processes accept on one listening socket (each holds fewer descriptors).
The last line printed is one JSON object; docs/PERFORMANCE.md records runs.
"""

import argparse
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.bench import (
    cpu_seconds,
    listening_socket,
    peak_rss_mb,
    ratio,
    spawn_daphnes,
    steal_seconds,
    stop,
    wait_port,
)

PYTHON = sys.executable
SOCKETS_PER_PART = 10_000  # load processes: each stays well under the descriptor limit


def _pct(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(pct / 100 * len(ordered)))], 1)


def _cpu_between(samples: list[tuple], start: float, end: float, column: int = 1) -> float | None:
    """CPU seconds used between two moments, from the samples nearest to them (column 1: the
    servers', 2: stolen from the machine)."""
    if not samples:
        return None
    at = lambda t: min(samples, key=lambda s: abs(s[0] - t))[column]  # noqa: E731
    return round(at(end) - at(start), 2)


class Command(BaseCommand):
    help = "Benchmark study heartbeats on Daphne against a bare ASGI endpoint (last line: JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=500)
        parser.add_argument("--duration", type=float, default=30)
        parser.add_argument("--interval", type=float, default=15, help="seconds between a learner's beats")
        parser.add_argument("--courses", type=int, default=10)
        parser.add_argument("--servers", type=int, default=1, help="Daphne processes on one socket")
        parser.add_argument(
            "--kind",
            choices=["video", "text"],
            default="video",
            help="video lessons, or text lessons with a minimum time",
        )
        parser.add_argument("--skip-bare", action="store_true", help="measure Daphne only")
        parser.add_argument(
            "--connect-timeout",
            type=int,
            default=None,
            help="Daphne's --websocket_connect_timeout in seconds (its default 5); a small one forces refused connects",
        )
        parser.add_argument(
            "--drain",
            type=float,
            default=120,
            help="seconds each learner waits for its last acknowledgements before closing (0: beats in flight "
            "are stored without the learner seeing their acknowledgement)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
        parser.add_argument(
            "--profile", action="store_true", help="run the servers under cProfile (server-K.prof, with --keep)"
        )
        parser.add_argument("--prepare", metavar="DIR", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare"]:
            from courses.study.benchmark.setup import prepare

            prepare(
                learners=options["learners"],
                courses=options["courses"],
                out=Path(options["prepare"]) / "setup.json",
                kind=options["kind"],
            )
            return
        n = options["learners"]
        self.profile = options["profile"]
        if n < 1 or options["duration"] <= 0 or options["interval"] <= 0 or options["servers"] < 1:
            raise CommandError("--learners, --duration, --interval and --servers must be positive")
        scratch = Path(tempfile.mkdtemp(prefix="bench_heartbeats-"))
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env |= {
            "SQLITE_PATH": str(scratch / "db.sqlite3"),
            "MEDIA_ROOT": str(scratch / "media"),
            "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        try:
            result = self.bench(
                scratch,
                env,
                **{
                    k: options[k]
                    for k in ("duration", "interval", "courses", "servers", "kind", "connect_timeout", "drain")
                },
                n=n,
                skip_bare=options["skip_bare"],
            )
        finally:
            if options["keep"]:
                self.log(f"kept {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def profiler(self, out: Path) -> list[str]:
        """The prefix that runs a server under cProfile (its event loop thread only), or nothing."""
        return [PYTHON, "-m", "cProfile", "-o", str(out)] if self.profile else []

    def log(self, message: str) -> None:
        self.stderr.write(f"[bench_heartbeats] {message}")

    def drive(
        self, name: str, scratch: Path, env: dict, server_cmd: list[str], *, n, duration, interval, servers, drain
    ):
        """Start `servers` Daphne processes on one socket, run the load against them, stop them; the
        load's merged figures and the servers' CPU seconds and peak RSS."""
        listener = listening_socket()
        port = listener.getsockname()[1]
        self.log(f"{name}: {servers} server(s) on {port}")
        run_dir = scratch / name
        run_dir.mkdir()
        procs = []
        try:
            procs = spawn_daphnes(
                [listener] * servers,
                server_cmd,
                env,
                run_dir,
                prefix=lambda k: self.profiler(run_dir / f"server-{k}.prof"),
            )
            listener.close()  # the servers hold it
            wait_port(port, procs)
            cpu0 = [cpu_seconds(p.pid) for p in procs]
            parts = max(1, math.ceil(n / SOCKETS_PER_PART))
            slot0 = time.perf_counter() + 1.0
            loads = []
            for part in range(parts):
                cmd = [PYTHON, "-m", "courses.study.benchmark.load", "--setup", str(scratch / "setup.json")]
                cmd += ["--url", f"ws://127.0.0.1:{port}", "--learners", str(n), "--duration", str(duration)]
                cmd += ["--interval", str(interval), "--part", str(part), "--parts", str(parts), "--drain", str(drain)]
                cmd += ["--slot0", repr(slot0), "--scratch", str(run_dir), "--out", str(run_dir / f"load-{part}.json")]
                loads.append(subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR))  # noqa: S603
            samples = []  # (time.perf_counter(), the servers' CPU seconds, steal): the steady phase's share
            while any(proc.poll() is None for proc in loads):
                samples.append((time.perf_counter(), sum(cpu_seconds(p.pid) for p in procs), steal_seconds()))
                time.sleep(0.25)
            for proc in loads:
                if proc.returncode != 0:
                    raise CommandError(f"{name}: a load process failed ({proc.returncode})")
            cpu = round(sum(cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0, strict=True)), 1)
            peaks = [peak_rss_mb(p.pid) for p in procs]
        finally:
            for proc in procs:
                stop(proc)
        results = [json.loads((run_dir / f"load-{part}.json").read_text()) for part in range(parts)]
        latencies = [v for r in results for v in r["latencies"]]
        ramp = [v for r in results for v in r["ramp_latencies"]]
        t0 = results[0]["t0"]
        steady_cpu = _cpu_between(samples, t0, t0 + duration)
        steal = _cpu_between(samples, t0, t0 + duration, column=2)
        merged = {
            "connected": sum(r["connected"] for r in results),
            "refused": sum(r["refused"] for r in results),
            "connect_s": max(r["connect_s"] for r in results),
            "heartbeats_per_s": round(sum(r["steady_sent"] for r in results) / duration, 1),
            "acked_in_steady": len(latencies),
            "unacked": sum(lr["sent"] - lr["acks"] for r in results for lr in r["per_learner"]),
            "steady_sent": sum(r["steady_sent"] for r in results),
            "ramp_sent": sum(r["ramp_sent"] for r in results),
            "ack_p50_ms": _pct(latencies, 50),
            "ack_p99_ms": _pct(latencies, 99),
            "ack_max_ms": round(max(latencies), 1) if latencies else None,
            "ramp_ack_p99_ms": _pct(ramp, 99),
            "ramp_ack_max_ms": round(max(ramp), 1) if ramp else None,
            "errors": sum(sum(r["error_codes"].values()) for r in results),
            "error_codes": _sum_counts(r["error_codes"] for r in results),
            "refused_codes": _sum_counts(r["refused_codes"] for r in results),
            "socket_failures": sum(r["socket_failures"] for r in results),
            "first_failure": next((r["first_failure"] for r in results if r["first_failure"]), None),
            "server_cpu_s": cpu,
            "server_cpu_steady_s": steady_cpu,
            "server_cpu_per_beat_ms": round(steady_cpu * 1000 / len(latencies), 3)
            if latencies and steady_cpu
            else None,
            "peak_rss_mb": round(sum(p or 0 for p in peaks), 1),
            "steal_cores_steady": round(steal / duration, 3) if steal is not None else None,
        }
        if servers > 1:
            merged["peak_rss_mb_each"] = peaks
        return merged, [lr for r in results for lr in r["per_learner"]]

    def bench(
        self,
        scratch: Path,
        env: dict,
        *,
        n,
        duration,
        interval,
        courses,
        servers,
        kind,
        connect_timeout,
        drain,
        skip_bare,
    ) -> dict:
        manage = str(settings.BASE_DIR / "manage.py")
        self.log(f"preparing {n} learners on {courses} courses in {scratch}")
        prepare = [PYTHON, manage, "bench_heartbeats", "--prepare", str(scratch), "--learners", str(n)]
        subprocess.run([*prepare, "--courses", str(courses), "--kind", kind], env=env, check=True)  # noqa: S603
        setup = json.loads((scratch / "setup.json").read_text())
        sizes = {"n": n, "duration": duration, "interval": interval, "servers": servers, "drain": drain}
        timeout = ["--websocket_connect_timeout", str(connect_timeout)] if connect_timeout is not None else []
        daphne, learners = self.drive("daphne", scratch, env, [*timeout, "config.asgi:application"], **sizes)
        ledger = self.verify(scratch / "db.sqlite3", learners, tolerance=setup["tolerance"])
        result = {
            "learners": n,
            "duration_s": duration,
            "interval_s": interval,
            "servers": servers,
            "lesson_kind": setup["kind"],
            "target_heartbeats_per_s": round(n / interval, 1),
            **{k: daphne[k] for k in ("heartbeats_per_s", "ack_p50_ms", "ack_p99_ms", "ack_max_ms")},
            **ledger,
            "peak_rss_mb": daphne["peak_rss_mb"],
            "server_cpu_s": daphne["server_cpu_s"],
            "server_cpu_steady_s": daphne["server_cpu_steady_s"],
            **{k: v for k, v in daphne.items() if k not in ledger and k not in ("peak_rss_mb", "server_cpu_s")},
        }
        if not skip_bare:
            bare_env = env | {"BENCH_HEARTBEATS_SETUP": str(scratch / "setup.json")}
            bare_app = [*timeout, "courses.study.benchmark.bare:application"]
            bare, _ = self.drive("bare", scratch, bare_env, bare_app, **sizes)
            keys = ("heartbeats_per_s", "ack_p50_ms", "ack_p99_ms", "ack_max_ms", "peak_rss_mb", "server_cpu_s")
            keys += ("server_cpu_steady_s", "server_cpu_per_beat_ms", "steal_cores_steady")
            keys += ("connected", "refused", "connect_s", "errors", "socket_failures")
            result["bare"] = {k: bare[k] for k in keys}
            result["ratio_ack_p99"] = ratio(daphne["ack_p99_ms"], bare["ack_p99_ms"])
            result["ratio_server_cpu_steady"] = ratio(daphne["server_cpu_steady_s"], bare["server_cpu_steady_s"])
        return result

    def verify(self, db: Path, learners: list[dict], *, tolerance: float) -> dict:
        """The ledger against what the learners watched, per learner (all times on this host's clock).

        A learner's video played from its `hello` (s0) until it sent its last acknowledged beat
        (sent): it watched `sent - s0` seconds, and the ledger keeps whole seconds, so
        expected = floor(sent - s0). The server credits by its own clock, from the moment it opened
        the session (after the connect began, c0, and before the hello) to the moment it stored the
        last beat (before its ack came, acked_at), never more: allowed = floor(acked_at - c0).

        A beat can be stored without its acknowledgement reaching the learner: the learner stopped
        waiting (`--drain`) or its socket was closed (a keep-alive timeout under overload). The server
        stored it and credited it, as it must (a page gives the time of an unacknowledged beat back
        and sends it again, and the server's clock then refuses the same wall-clock time twice).
        Which beats were stored the study's `last_seq` says; each of those after the last
        acknowledged one may credit at most its `active` seconds plus the tolerance (the rules'
        own bound: nothing tells the learner when the server received it). So
        allowed = floor(acked_at - c0 + Σ (active + tolerance)) over those beats, and a learner
        with no acknowledged beat may have at most that sum. Without this, every stored and
        unacknowledged beat counted as over-credited (docs/PERFORMANCE.md, issue 11).

        lost = expected - credited where credited is below expected; over-credited = credited -
        allowed where credited is above it. `credited_minus_expected_s` is the latency the rules
        credit legitimately (the server's clock started before the hello and stopped after the beat
        was sent) plus the beats stored without an acknowledgement seen."""
        with sqlite3.connect(db) as conn:
            days = dict(conn.execute("SELECT learner_id, SUM(seconds) FROM courses_studyday GROUP BY learner_id"))
            studies, stored_seq = {}, {}
            query = (
                "SELECT learner_id, SUM(effective_seconds), MAX(last_seq) FROM courses_lessonstudy GROUP BY learner_id"
            )
            for learner, seconds, last_seq in conn.execute(query):
                studies[learner], stored_seq[learner] = seconds, last_seq or 0
        expected = credited = lost = over = gap = 0
        lost_learners = over_learners = 0
        acked_credit = unacked_stored = unacked_learners = 0
        for lr in learners:
            got = days.get(lr["learner"], 0) or 0
            credited += got
            acked_credit += lr["credited"]
            last_stored = stored_seq.get(lr["learner"], 0)
            stored = [active for seq, active in lr.get("unacked", ()) if seq <= last_stored]
            unacked_stored += len(stored)
            unacked_learners += bool(stored)
            extra = sum(active + tolerance for active in stored)
            if lr["s0"] is None or lr["acked_sent"] is None:
                allowed = math.floor(extra)  # nothing acknowledged: only what was stored may be credited
                over += max(0, got - allowed)
                over_learners += got > allowed
                continue
            want = math.floor(lr["acked_sent"] - lr["s0"])
            allowed = math.floor(lr["acked_at"] - lr["c0"] + extra)
            expected += want
            gap += allowed - want
            if got < want:
                lost += want - got
                lost_learners += 1
            if got > allowed:
                over += got - allowed
                over_learners += 1
        return {
            "credited_s": credited,
            "expected_s": expected,
            "lost_s": lost,
            "over_credited_s": over,
            "learners_short": lost_learners,
            "learners_over": over_learners,
            "credited_minus_expected_s": credited - expected,
            "allowed_minus_expected_s": gap,
            "lesson_study_s": sum(v or 0 for v in studies.values()),
            "acked_credited_s": acked_credit,
            "stored_unacked_beats": unacked_stored,
            "stored_unacked_learners": unacked_learners,
        }


def _sum_counts(dicts) -> dict:
    total: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            total[k] = total.get(k, 0) + v
    return total
