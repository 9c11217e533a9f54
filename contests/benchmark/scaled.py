"""`bench_round --servers K` and `bench_round --fault redis|postgres`: the round on PostgreSQL and Redis
(as `.ci/run` runs them) served by K Daphne processes, one port each; contestant i and viewer j use
process i mod K and j mod K (contests.benchmark.load), so a board frame a viewer gets on one process
often shows an answer stored by another (`staleness_cross_*`).

Nothing else on the machine is touched: the round lives in a scratch database (`bench_round_<pid>`)
created on the PostgreSQL server of --postgres-url and dropped afterwards, and uses a Redis database
of its own (--redis-db) with a key prefix of its own, whose keys are deleted afterwards. A fault run
never restarts those shared servers: `--fault redis` runs a private redis-server, `--fault postgres`
a private PostgreSQL cluster holding the scratch database (contests.benchmark.faults), and stops it
--fault-at seconds into the answers phase for --fault-down seconds. Its contestants then behave as the
console does (`--resend`: a `retry` is sent again, a closed socket reopened), and the figures say what
the issue asks of a fault: processes alive, answers acknowledged during the outage, `retry` replies,
answers acknowledged but not stored (must be 0), duplicates (0), and the boards' convergence after the
service returned.

Load on the services over the answers phase, for sizing: PostgreSQL's transactions and rows written
(pg_stat_database of the scratch database only) and its connections (peak of pg_stat_activity), and
Redis's commands a second (INFO; on the shared server that includes anyone else's: --private-redis
gives a clean count).
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

from django.conf import settings
from django.core.management.base import CommandError

from config.bench import listening_socket, peak_rss_mb, spawn_daphnes, stop, wait_port

from .faults import PrivatePostgres, PrivateRedis
from .figures import stored_counts, summary

PYTHON = sys.executable
DAPHNE_ARGS = ["--websocket_connect_timeout", "30", "config.asgi:application"]  # as bench_round's one process
SAMPLE_EVERY = 0.25


class Services:
    """The scratch database and Redis of one run, and what to stop for a fault."""

    def __init__(self, *, scratch: Path, postgres_url: str, redis_url: str, redis_db: int, fault: str, private_redis):
        self.dbname = f"bench_round_{os.getpid()}"
        self.prefix = f"bench-round-{os.getpid()}"
        self.fault = fault
        self.pg: PrivatePostgres | None = None
        self.private_redis: PrivateRedis | None = None
        base = urlsplit(postgres_url)
        if fault == "postgres":
            why = PrivatePostgres.available()
            if why:
                raise CommandError(f"--fault postgres needs a private PostgreSQL cluster: {why}")
            self.pg = PrivatePostgres(self.dbname)
            self.pg.init()  # creates the database
            self.database_url = self.pg.url
        else:
            self.admin_url = urlunsplit(base._replace(path="/postgres"))
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.dbname)))
            self.database_url = urlunsplit(base._replace(path=f"/{self.dbname}"))
        if fault == "redis" or private_redis:
            self.private_redis = PrivateRedis(scratch)
            if self.private_redis.binary is None:
                raise CommandError("no redis-server on this machine")
            self.private_redis.start()
            self.redis_url = self.private_redis.url
        else:
            self.redis_url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{redis_db}"))

    def env(self) -> dict:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url, "CACHE_KEY_PREFIX": self.prefix}

    def stop_service(self) -> None:
        if self.fault == "redis":
            self.private_redis.stop()
        else:
            self.pg.stop("fast")  # open connections are cut, as in a restart

    def start_service(self) -> None:
        if self.fault == "redis":
            self.private_redis.start()
        else:
            self.pg.start()

    def query(self, statement: str, *params):
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            return conn.execute(statement, params).fetchone()

    def board_seq(self, round_id: int) -> int:
        """The round's last public board sequence number, as stored."""
        q = "SELECT coalesce(max(seq), -1) FROM contests_scoreboardevent WHERE round_id = %s AND public"
        return self.query(q, round_id)[0]

    def pg_counters(self) -> dict:
        row = self.query(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = %s",
            self.dbname,
        )
        return {"xacts": row[0], "rows": row[1]}

    def pg_connections(self) -> int:
        """Connections to the scratch database, this one not counted."""
        q = "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = %s"
        return self.query(q, self.dbname)[0]

    def redis_commands(self) -> int:
        client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        try:
            return client.info("stats")["total_commands_processed"]
        finally:
            client.close()

    def stored_client_ids(self) -> list[str]:
        with psycopg.connect(self.database_url) as conn:
            return [r[0].hex for r in conn.execute("SELECT client_id FROM contests_theoryanswerlog")]

    def destroy(self) -> None:
        if self.private_redis is not None:
            self.private_redis.stop()
        else:
            client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
            try:
                for key in client.scan_iter(match=f"{self.prefix}*", count=1000):
                    client.delete(key)
            finally:
                client.close()
        if self.pg is not None:
            self.pg.destroy()
        else:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.dbname)))


class Monitor:
    """Runs in the command while the load runs: samples the services over the answers phase and, for a
    fault run, stops and restarts the service in the middle of it."""

    def __init__(self, services: Services, phase_file: Path, *, round_id: int, fault_at: float, fault_down: float):
        self.services, self.phase_file, self.round_id = services, phase_file, round_id
        self.fault_at, self.fault_down = fault_at, fault_down
        self.start: dict | None = None
        self.end: dict | None = None
        self.connections = 0
        self.fault_done = not services.fault
        self.outage: dict = {}

    def counters(self) -> dict:
        figures = {"at": time.time()}
        with contextlib.suppress(psycopg.Error):
            figures |= self.services.pg_counters()
        with contextlib.suppress(redis.RedisError):
            figures["redis_commands"] = self.services.redis_commands()
        return figures

    def tick(self) -> None:
        phases = json.loads(self.phase_file.read_text()) if self.phase_file.exists() else {}
        if "answers_start" not in phases or self.end is not None:
            return
        if self.start is None:
            self.start = self.counters()
        if "answers_end" in phases:
            self.end = self.counters()
            return
        with contextlib.suppress(psycopg.Error):
            self.connections = max(self.connections, self.services.pg_connections())
        if not self.fault_done and time.time() >= phases["answers_start"] + self.fault_at:
            self.fault_done = True
            self.inject()

    def inject(self) -> None:
        down = time.time()
        self.services.stop_service()
        stopped = time.time()
        time.sleep(self.fault_down)
        self.services.start_service()
        up = time.time()
        seq_up = self.services.board_seq(self.round_id)
        self.outage = {"down": down, "stopped": stopped, "up": up, "seq_up": seq_up}
        Path(f"{self.phase_file}.fault").write_text(json.dumps(self.outage))

    def figures(self) -> dict:
        if not self.start or not self.end:
            return {}
        wall = self.end["at"] - self.start["at"]

        def per_s(key: str) -> float | None:
            """None when unknown, or when the service restarted in between (its counters began again)."""
            if key not in self.start or key not in self.end or self.end[key] < self.start[key]:
                return None
            return round((self.end[key] - self.start[key]) / wall, 1)

        return {
            "pg_xacts_per_s": per_s("xacts"),
            "pg_rows_written_per_s": per_s("rows"),
            "pg_connections_max": self.connections,
            "redis_commands_per_s": per_s("redis_commands"),
        }


def run_load(
    load_cmd: list[str], env: dict, urls: list[str], pids: list[int], out: Path, monitor: Monitor | None
) -> dict:
    cmd = [*load_cmd, "--out", str(out)]
    for url, pid in zip(urls, pids, strict=True):
        cmd += ["--url", url, "--server-pid", str(pid)]
    if monitor is not None:
        cmd += ["--phase-file", str(monitor.phase_file)]
        if monitor.services.fault:
            cmd.append("--resend")
    proc = subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR)  # noqa: S603 - our own interpreter
    try:
        while proc.poll() is None:
            if monitor is not None:
                monitor.tick()
            time.sleep(SAMPLE_EVERY)
    finally:
        if proc.poll() is None:
            stop(proc)
    if proc.returncode != 0:
        raise CommandError(f"the load process failed ({proc.returncode})")
    return json.loads(out.read_text())


def bench(command, *, n, m, rate, duration, storm, servers, fault, fault_at, fault_down, skip_bare, options) -> dict:
    """Prepare the round on the scratch services, drive K Daphne processes (and, unless skipped or a
    fault run, the bare server), read the answers back; the command's figures plus the new ones."""
    scratch = Path(tempfile.mkdtemp(prefix="bench_round-"))
    services = None
    try:
        services = Services(
            scratch=scratch,
            postgres_url=options["postgres_url"],
            redis_url=options["redis_url"],
            redis_db=options["redis_db"],
            fault=fault,
            private_redis=options["private_redis"],
        )
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")}
        env |= services.env() | {
            "MEDIA_ROOT": str(scratch / "media"),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        manage = str(settings.BASE_DIR / "manage.py")
        command.log(f"preparing {n} contestants in {services.dbname} ({services.database_url}, {services.redis_url})")
        prepare = [PYTHON, manage, "bench_round", "--prepare", str(scratch), "--contestants", str(n)]
        subprocess.run(prepare, env=env, check=True)  # noqa: S603 - our own interpreter
        setup = scratch / "setup.json"
        round_id = json.loads(setup.read_text())["round"]
        load = [PYTHON, "-m", "contests.benchmark.load", "--setup", str(setup), "--contestants", str(n)]
        load += ["--viewers", str(m), "--duration", str(duration), "--rate", str(rate), "--storm", str(storm)]

        run_dir = scratch / "daphne"
        run_dir.mkdir()
        sockets = [listening_socket() for _ in range(servers)]
        ports = [s.getsockname()[1] for s in sockets]
        command.log(f"{servers} Daphne processes on {ports}")
        procs = spawn_daphnes(sockets, DAPHNE_ARGS, env, run_dir)
        monitor = Monitor(
            services, scratch / "phases.json", round_id=round_id, fault_at=fault_at, fault_down=fault_down
        )
        try:
            for sock in sockets:
                sock.close()  # the servers hold them
            for port in ports:
                wait_port(port, procs)
            urls = [f"ws://127.0.0.1:{p}" for p in ports]
            daphne = run_load(load, env, urls, [p.pid for p in procs], scratch / "load-daphne.json", monitor)
            alive = [p.poll() is None for p in procs]
            peaks = [peak_rss_mb(p.pid) for p in procs]
        finally:
            for proc in procs:
                stop(proc)
        daphne |= stored_counts(services.stored_client_ids(), daphne)
        bare = bare_peak = None
        if not (skip_bare or fault):
            bare, bare_peak = run_bare(command, scratch, env, load, setup)
    finally:
        if services is not None:
            services.destroy()
        if not options["keep"]:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            command.log(f"kept {scratch}")

    sizes = {"n": n, "m": m, "rate": rate, "duration": duration, "storm": storm}
    figures = summary(**sizes, daphne=daphne, peak=round(sum(p or 0 for p in peaks), 1), bare=bare, bare_peak=bare_peak)
    extra = ("staleness_same_p50_ms", "staleness_same_p99_ms", "staleness_cross_p50_ms", "staleness_cross_p99_ms")
    extra += ("staleness_cross_samples", "server_cpu_cores_each", "storm_server_cpu_cores_each")
    figures |= {
        "servers": servers,
        "database": "postgresql",
        "channel_layer": "redis",
        **{k: daphne[k] for k in extra},
        "peak_rss_mb_each": peaks,
        "viewer_disconnects": daphne["viewer_disconnects"],
        **monitor.figures(),
    }
    if fault:
        figures["fault"] = {
            "service": fault,
            "at_s": fault_at,
            "down_s": fault_down,
            "processes_alive": sum(alive),
            "acked_during_outage": daphne.get("acked_during_outage"),
            "outage_s": daphne.get("outage_s"),
            "retry_replies": daphne["retries"],
            "reconnects": daphne["reconnects"],
            "acked_not_stored": daphne["acked_not_stored"],
            "duplicated": daphne["duplicated"],
            "unacked": daphne["unacked"],
            "board_converged_s": daphne.get("board_converged_s"),
            "board_converged_p50_s": daphne.get("board_converged_p50_s"),
            "viewers_not_converged": daphne.get("viewers_not_converged"),
            "errors": daphne["errors"],
        }
    else:
        figures["processes_alive"] = sum(alive)
    return figures


def run_bare(command, scratch: Path, env: dict, load: list[str], setup: Path) -> tuple[dict, float | None]:
    """The same load against the bare server (one process, as in bench_round's own comparison)."""
    from config.bench import free_port

    port = free_port()
    stored_file = scratch / "bare-stored.json"
    cmd = [PYTHON, "-m", "contests.benchmark.bare", "--setup", str(setup), "--stored", str(stored_file)]
    with open(scratch / "bare.log", "w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter
            [*cmd, "--port", str(port)], env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
        )
    command.log(f"bare on {port}")
    try:
        wait_port(port, [server])
        bare = run_load(load, env, [f"ws://127.0.0.1:{port}"], [server.pid], scratch / "load-bare.json", None)
        peak = peak_rss_mb(server.pid)
    finally:
        stop(server)
    stored = set(json.loads(stored_file.read_text())) if stored_file.exists() else set()
    bare["lost"] = len(set(bare["sent_ids"]) - set(bare["rejected_ids"]) - stored)
    return bare, peak
