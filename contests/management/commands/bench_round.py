"""Load-test a live round: real Daphne, N contestants answering, M scoreboard viewers; then the same
load against a bare `websockets` server, for comparison.

    python manage.py bench_round --contestants 2000 --viewers 2000 --duration 30 [--rate 1000]

1. A child process (this command with --prepare) migrates a scratch SQLite database in a temporary
   directory (the embedded default: no DATABASE_URL, no REDIS_URL, in-memory channel layer) and
   creates a running round with a 20-question paper and N approved contestants with sessions.
2. Daphne serves that database in its own process; `contests.benchmark.load`, in another process,
   connects the viewers, then all N contestants within --storm seconds (the start storm: time from
   connect to the `hello` carrying the paper), then for --duration seconds sends --rate answers a
   second in total (each contestant at an even pace) and times acks and boards. The server's CPU
   time is read from /proc around the storm and the answers phase (`server_cpu_cores`).
3. The stored answers are read back from the scratch database: `lost` counts answers sent but
   neither stored nor explicitly rejected; `duplicated` counts stored rows beyond one per client id.
4. `contests.benchmark.bare` takes the same load the same way.
5. With --bare-daphne, the same bare handling as an ASGI app served by Daphne
   (contests.benchmark.bare_asgi) takes it too (`bare_daphne`, `ratio_bare_daphne_*`): of the gap
   to the `websockets` server, what is Daphne's and what is the platform's.

With --servers K (K > 1) or --fault redis|postgres the round runs on PostgreSQL and Redis instead,
served by K Daphne processes with the load spread over them (contests.benchmark.scaled: scratch
database and Redis keys, private servers for the faults, the extra figures).

The last line printed is one JSON object; docs/PERFORMANCE.md records runs.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.bench import free_port, peak_rss_mb, stop, wait_port
from contests.benchmark.figures import bare_daphne_figures, stored_counts, summary

PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))


def _run(cmd: list[str], env: dict) -> None:
    subprocess.run(cmd, env=env, check=True)  # noqa: S603 - our own interpreter and scripts


def _bare_lost(load: dict, stored_file: Path) -> int:
    """A bare server's lost answers: sent − rejected − what it wrote to `stored_file` as it stopped."""
    stored = set(json.loads(stored_file.read_text())) if stored_file.exists() else set()
    return len(set(load["sent_ids"]) - set(load["rejected_ids"]) - stored)


def _spawn(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


class Command(BaseCommand):
    help = "Benchmark a live round on Daphne against a bare websockets server (last line: JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--contestants", type=int, default=200)
        parser.add_argument("--viewers", type=int, default=200)
        parser.add_argument("--duration", type=float, default=20)
        parser.add_argument("--rate", type=float, default=None, help="answers per second in total (default N/2)")
        parser.add_argument("--storm", type=float, default=1.0, help="seconds over which all contestants connect")
        parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
        parser.add_argument("--servers", type=int, default=1, help="Daphne processes on PostgreSQL and Redis")
        parser.add_argument("--fault", choices=("redis", "postgres"), help="restart a private one mid-answers")
        parser.add_argument("--fault-at", type=float, default=None, help="seconds into the answers (default 1/3)")
        parser.add_argument("--fault-down", type=float, default=5.0, help="seconds the service stays down")
        parser.add_argument("--skip-bare", action="store_true", help="with --servers: no bare-server comparison")
        parser.add_argument(
            "--bare-daphne",
            action="store_true",
            help="also the bare handling served by Daphne (contests.benchmark.bare_asgi): what Daphne itself costs",
        )
        parser.add_argument(
            "--on-postgres", action="store_true", help="PostgreSQL and Redis even with one server (as --servers K)"
        )
        parser.add_argument(
            "--postgres-url",
            default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres",
            help="the PostgreSQL server to make the scratch database on (its database name is not used)",
        )
        parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
        parser.add_argument("--redis-db", type=int, default=13, help="the scratch Redis database number")
        parser.add_argument("--private-redis", action="store_true", help="a redis-server of its own (clean counts)")
        parser.add_argument("--prepare", metavar="DIR", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare"]:
            from contests.benchmark.setup import prepare

            prepare(contestants=options["contestants"], out=Path(options["prepare"]) / "setup.json")
            return
        n, m = options["contestants"], options["viewers"]
        rate = options["rate"] or n / 2
        if options["servers"] < 1 or n < 1 or options["duration"] <= 0 or options["fault_down"] < 0:
            raise CommandError("--servers, --contestants and --duration must be positive")
        if options["servers"] > 1 or options["fault"] or options["on_postgres"]:
            from contests.benchmark import scaled

            fault_at = options["fault_at"] if options["fault_at"] is not None else options["duration"] / 3
            result = scaled.bench(
                self,
                **{"n": n, "m": m, "rate": rate, "duration": options["duration"], "storm": options["storm"]},
                servers=options["servers"],
                fault=options["fault"],
                fault_at=fault_at,
                fault_down=options["fault_down"],
                skip_bare=options["skip_bare"],
                options=options,
            )
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        scratch = Path(tempfile.mkdtemp(prefix="bench_round-"))
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env |= {
            "SQLITE_PATH": str(scratch / "db.sqlite3"),
            "MEDIA_ROOT": str(scratch / "media"),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(settings.BASE_DIR),
            "LIVE_QUERY_COUNT": str(scratch / "queries.txt"),  # Daphne's statements (queries_per_connect)
        }
        try:
            sizes = {"n": n, "m": m, "rate": rate, "duration": options["duration"], "storm": options["storm"]}
            result = self.bench(scratch, env, **sizes, bare_daphne=options["bare_daphne"])
        finally:
            if not options["keep"]:
                shutil.rmtree(scratch, ignore_errors=True)
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def log(self, message: str) -> None:
        self.stderr.write(f"[bench_round] {message}")

    def bench(
        self, scratch: Path, env: dict, *, n: int, m: int, rate: float, duration: float, storm: float, bare_daphne=False
    ) -> dict:
        manage = str(settings.BASE_DIR / "manage.py")
        self.log(f"preparing {n} contestants in {scratch}")
        _run([PYTHON, manage, "bench_round", "--prepare", str(scratch), "--contestants", str(n)], env)
        setup = scratch / "setup.json"
        load = [PYTHON, "-m", "contests.benchmark.load", "--setup", str(setup), "--contestants", str(n)]
        load += ["--viewers", str(m), "--duration", str(duration), "--rate", str(rate), "--storm", str(storm)]

        def drive(name: str, server_cmd, server_env: dict = env) -> tuple[dict, float]:
            """Start a server (`server_cmd(port)`), run the same load against it, stop it; its load
            figures and peak RSS."""
            port = free_port()
            self.log(f"{name} on {port}")
            server = _spawn(server_cmd(str(port)), server_env, scratch / f"{name}.log")
            out = scratch / f"load-{name}.json"
            try:
                wait_port(port, [server])
                counts = ["--queries", env["LIVE_QUERY_COUNT"]] if name == "daphne" else []  # the bare one has no count
                _run(
                    [
                        *load,
                        "--url",
                        f"ws://127.0.0.1:{port}",
                        "--server-pid",
                        str(server.pid),
                        "--out",
                        str(out),
                        *counts,
                    ],
                    env,
                )
                peak = peak_rss_mb(server.pid)
            finally:
                stop(server)
            return json.loads(out.read_text()), peak

        # The deployment's handshake allowance (docs/deployment.md): a start storm may keep a socket
        # waiting for its accept longer than Daphne's default 5 s.
        daphne_cmd = [DAPHNE, "-b", "127.0.0.1", "--websocket_connect_timeout", "30", "config.asgi:application"]
        daphne, peak = drive("daphne", lambda port: [*daphne_cmd[:3], "-p", port, *daphne_cmd[3:]])
        daphne |= self.verify(scratch / "db.sqlite3", daphne)
        stored_file = scratch / "bare-stored.json"
        bare_cmd = [PYTHON, "-m", "contests.benchmark.bare", "--setup", str(setup), "--stored", str(stored_file)]
        bare, bare_peak = drive("bare", lambda port: [*bare_cmd, "--port", port])
        bare["lost"] = _bare_lost(bare, stored_file)
        sizes = {"n": n, "m": m, "rate": rate, "duration": duration, "storm": storm}
        result = summary(**sizes, daphne=daphne, peak=peak, bare=bare, bare_peak=bare_peak)
        if bare_daphne:  # the same bare handling, served by Daphne: the server's own share of the gap
            stored_file = scratch / "bare-daphne-stored.json"
            bare_env = {k: v for k, v in env.items() if k not in ("LIVE_QUERY_COUNT", "LIVE_PROFILE")}
            bare_env |= {"BENCH_ROUND_SETUP": str(setup), "BENCH_ROUND_STORED": str(stored_file)}
            app = "contests.benchmark.bare_asgi:application"
            cmd = lambda port: [*daphne_cmd[:3], "-p", port, *daphne_cmd[3:-1], app]  # noqa: E731
            on_daphne, on_daphne_peak = drive("bare-daphne", cmd, bare_env)
            on_daphne["lost"] = _bare_lost(on_daphne, stored_file)
            result |= bare_daphne_figures(daphne, on_daphne, on_daphne_peak)
        return result

    def verify(self, db: Path, load: dict) -> dict:
        """Read the stored answers back: lost = sent − rejected − stored; duplicated = extra rows per id."""
        with sqlite3.connect(db) as conn:
            rows = [str(r[0]) for r in conn.execute("SELECT client_id FROM contests_theoryanswerlog")]
        return stored_counts(rows, load)
