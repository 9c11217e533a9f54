"""What the scratch-database bench_* commands share (bench_catalogue, bench_import,
bench_certificates): the parent makes a temporary directory with a fresh SQLite file, runs the same
command with `--worker` pointed at it (never at the development or a PostgreSQL database), streams
the worker's output with the JSON figures kept as the last line, and removes the directory unless
`--keep`. The worker refuses to run anywhere but on that scratch file. A command that measures
PostgreSQL (bench_stats with DATABASE_URL set) asks for a scratch database on the same server instead:
`bench_<name>_<pid>`, created empty and dropped afterwards, never the configured database itself.

Below them, what the live-server benchmarks (bench_round, bench_heartbeats) share: a free port, waiting
for a server to listen, stopping it, and reading a process's CPU time and peak memory from /proc.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def run_in_scratch(
    command: BaseCommand,
    name: str,
    args: list[str],
    *,
    marker: str,
    keep: bool,
    before: Callable[[dict], None] | None = None,
    postgres: bool = False,
) -> None:
    """Run `manage.py <name> --worker <args>` on a scratch database; `marker` names the env variable
    that tells the worker which file (or PostgreSQL database) it may use. `before(env)` runs first (e.g.
    a migration). `postgres`: a scratch database on the server of DATABASE_URL, when that is set."""
    scratch = tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-")
    db_path = os.path.join(scratch, "db.sqlite3")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SQLITE_PATH=db_path, MEDIA_ROOT=os.path.join(scratch, "media"), DJANGO_DEBUG="false")
    env.update(PRIVATE_MEDIA_ROOT=os.path.join(scratch, "private"))
    env[marker] = db_path
    pg_name = ""
    if postgres and os.environ.get("DATABASE_URL"):
        pg_name = f"{name}_{os.getpid()}"
        env["DATABASE_URL"] = scratch_postgres_create(os.environ["DATABASE_URL"], pg_name)
        env[marker] = pg_name
        command.stdout.write(f"临时 PostgreSQL 数据库：{pg_name}")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    cmd = [sys.executable, str(settings.BASE_DIR / "manage.py"), name, "--worker", *args]
    command.stdout.write(f"临时目录：{scratch}")
    last = ""
    try:
        if before is not None:
            before(env)
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True, bufsize=1) as proc:  # noqa: S603
            for line in proc.stdout:
                if last:
                    command.stdout.write(last)
                last = line.rstrip("\n")
        if proc.returncode:
            if last:
                command.stdout.write(last)
            raise CommandError(f"测量进程失败（退出码 {proc.returncode}）")
    finally:
        if keep:
            command.stdout.write(f"已保留：{scratch}" + (f"，数据库 {pg_name}" if pg_name else ""))
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            if pg_name:
                scratch_postgres_drop(os.environ["DATABASE_URL"], pg_name)
    command.stdout.write(last)  # the JSON figures stay the last line


def _server(url: str, database: str) -> str:
    """`url` pointed at another database of the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _admin(url: str):
    import psycopg

    return psycopg.connect(_server(url, "postgres"), autocommit=True)


def scratch_postgres_create(url: str, name: str) -> str:
    """Create the empty database `name` on the server of `url`; returns its URL."""
    if not re.fullmatch(r"bench_[a-z_]+_\d+", name):
        raise CommandError(f"不是临时数据库名：{name}")
    with _admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _server(url, name)


def scratch_postgres_drop(url: str, name: str) -> None:
    if not re.fullmatch(r"bench_[a-z_]+_\d+", name):
        raise CommandError(f"不是临时数据库名：{name}")
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_scratch(name: str, marker: str) -> None:
    """In a worker: stop unless the database is the scratch SQLite file (or the scratch PostgreSQL
    database `bench_…_<pid>`) its parent made."""
    db = settings.DATABASES["default"]
    expected = os.environ.get(marker)
    sqlite = db["ENGINE"] == "django.db.backends.sqlite3" and str(db["NAME"]) == expected
    postgres = (
        db["ENGINE"] == "django.db.backends.postgresql"
        and db["NAME"] == expected
        and re.fullmatch(rf"{name}_\d+", expected or "")
    )
    if not (expected and (sqlite or postgres)):
        raise CommandError(f"--worker 只能由 {name} 在临时 SQLite 数据库上启动")


# ------------------------------------------------------------- live-server benchmarks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, procs: list[subprocess.Popen], timeout: float = 60) -> None:
    """Until something listens on `port`; fails at once if one of the server processes exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise CommandError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise CommandError(f"nothing listens on {port} after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM) in MB, or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def steal_seconds(stat: str | None = None) -> float:
    """CPU seconds this virtual machine's CPUs waited for the host so far, all CPUs together (the
    `steal` column of /proc/stat's first line, or of `stat`): a run during which neighbours took the
    CPUs is not comparable."""
    fields = (stat if stat is not None else Path("/proc/stat").read_text()).split("\n", 1)[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def listening_socket(backlog: int = 4096) -> socket.socket:
    """A socket listening on a free port of 127.0.0.1, for Daphne to adopt with `--fd` (its queue is
    this one's: see config.live_server)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(backlog)
    return sock


def spawn_daphnes(
    sockets: list[socket.socket], app_args: list[str], env: dict, log_dir: Path, *, prefix=lambda k: []
) -> list[subprocess.Popen]:
    """One Daphne process per entry of `sockets`, each adopting its socket with `--fd`: the same socket
    listed K times gives K processes accepting on one port (bench_heartbeats), K sockets give K
    servers on K ports (bench_round --servers). `prefix(k)` goes before the command (a profiler).
    Logs to log_dir/server-K.log. The caller closes its copies of the sockets once they are adopted."""
    daphne = str(Path(sys.executable).with_name("daphne"))
    fds = tuple({s.fileno() for s in sockets})
    procs = []
    for k, sock in enumerate(sockets):
        with open(log_dir / f"server-{k}.log", "w") as out:
            procs.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
                    [*prefix(k), daphne, "--fd", str(sock.fileno()), *app_args],
                    env=env,
                    cwd=settings.BASE_DIR,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    pass_fds=fds,
                    preexec_fn=raise_fd_limit,  # noqa: PLW1509 - before exec, no threads yet
                )
            )
    return procs


def raise_fd_limit() -> None:
    """Lift this process's soft limit on open files to the hard one (thousands of sockets)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
