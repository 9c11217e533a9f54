"""Real Daphne processes for socket tests that need more than the in-process ASGI app: several
servers sharing Redis (cross-process, fault), or a browser.

The servers must see the test's rows, so tests using them are transactional. On PostgreSQL they
connect to pytest-django's test database (`settings.DATABASES["default"]["NAME"]`, e.g. test_test);
on SQLite the in-memory test database is copied to a file first (`database_for_servers`), and the
servers and `StoredAnswers` use that file.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

DAPHNE = str(Path(sys.executable).with_name("daphne"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def database_for_servers(tmp_path: Path) -> dict:
    """Environment that points a server at the test database (copying SQLite's to a file)."""
    drop = ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    db = settings.DATABASES["default"]
    if uses_postgres():
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        path = tmp_path / "servers.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        env["SQLITE_PATH"] = str(path)
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
        env["CACHE_KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "skills")
    return env


class Daphne:
    """One `daphne config.asgi:application` on a free port; `kill()` is SIGKILL, no goodbye."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        with open(log, "w") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own daphne
                [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited: {log.read_text()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("daphne did not start")

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def stored_client_ids(env: dict) -> list[str]:
    """Client ids in the answer log, one per stored save (duplicates would show twice)."""
    if "SQLITE_PATH" in env:
        with sqlite3.connect(env["SQLITE_PATH"]) as db:
            return [str(r[0]).replace("-", "") for r in db.execute("SELECT client_id FROM contests_theoryanswerlog")]
    from contests.models import TheoryAnswerLog

    return [c.hex for c in TheoryAnswerLog.objects.values_list("client_id", flat=True)]
