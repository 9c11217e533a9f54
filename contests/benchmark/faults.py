"""Private Redis and PostgreSQL servers that can be stopped and started under load, so restarting
them never disturbs anything else on the machine (the test suite shares 127.0.0.1:5432 and :6379
across xdist workers). Used by the fault tests (tests/contests/test_faults.py) and by
`bench_round --fault` at full size.

Both listen on a free port of 127.0.0.1 and keep nothing on disk that outlives `destroy()`. Run as
root, PostgreSQL's tools run as the `postgres` user (initdb refuses root) in a directory it owns.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings

from config.bench import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def wait_until(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up within {timeout} s")
        time.sleep(0.1)


class PrivateRedis:
    """`redis-server` without persistence: a restart comes back empty, as a real one without a
    dump would (channels_redis's group memberships are gone)."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        with open(self.workdir / "redis.log", "a") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - the system's redis-server
                [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
                + ["--dir", str(self.workdir)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.ping, "redis-server")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class PrivatePostgres:
    """A throw-away PostgreSQL 15 cluster (trust auth, fsync off) with one database, `name` (by default
    the test database's, to hold a copy of it)."""

    def __init__(self, name: str | None = None):
        self.root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="skills-pgfault-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.name = name or settings.DATABASES["default"]["NAME"]
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")

    @staticmethod
    def available() -> str | None:
        """Why this machine cannot run one, or None."""
        if not (PG_BIN / "initdb").exists():
            return f"no {PG_BIN / 'initdb'}"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser (initdb refuses root)"
        return None

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        command = (["runuser", "-u", "postgres", "--"] if self.root else []) + list(args)
        return subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.dir, **kwargs)  # noqa: S603

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def init(self) -> None:
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N", "-E", "UTF8")
        self.start()
        self.run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.name)

    def load_test_database(self) -> None:
        """Copy pytest-django's test database (schema and committed rows) from the shared server."""
        db = settings.DATABASES["default"]
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        source = [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "-h", db["HOST"] or "127.0.0.1"]
        source += ["-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres", self.name]
        dump = subprocess.run(source, check=True, capture_output=True, timeout=120, env=env)  # noqa: S603
        load = [str(PG_BIN / "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port)]
        self.run(*load, "-U", "postgres", "-d", self.name, input=dump.stdout)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self.run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def client_ids(self) -> list[str]:
        """Client ids in its answer log, one per stored save (as `servers.stored_client_ids`)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=self.name) as conn:
            return [r[0].hex for r in conn.execute("SELECT client_id FROM contests_theoryanswerlog")]

    def log(self) -> str:
        path = self.dir / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
