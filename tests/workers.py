"""Real task workers for tests that kill one in the middle of a job.

A test (transactional, so that other processes see its rows) builds its data, queues tasks with the
database backend (`queue_in_database`), and starts `manage.py db_worker` in a subprocess
(`Worker`) with tests/worker_settings.py. On PostgreSQL the worker connects to pytest-django's test
database; on SQLite the in-memory test database is copied to a file for the worker
(`WorkerDatabase.to_worker`) and back once the worker is gone (`from_worker`), so that the test
goes on with the ORM; while a worker runs, the test watches it with plain SQL (`WorkerDatabase.value`).
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.contests.servers import database_for_servers, uses_postgres

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# What a test may have changed for itself that the worker must see too.
PASSED_ON = ("MEDIA_ROOT", "STORAGES", "CERTIFICATE_SIGNING_KEY", "CERTIFICATE_BASE_URL")


def queue_in_database(settings_fixture) -> None:
    """From now on this test's `.enqueue()` stores tasks for a worker instead of running them."""
    settings_fixture.TASKS = DATABASE_BACKEND


def until(predicate, *, timeout: float, what: str, every: float = 0.02, worker: "Worker | None" = None):
    """Poll `predicate` until it returns something true (returned), or fail after `timeout` seconds
    (or as soon as `worker` has exited, with its log)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if worker is not None and not worker.alive():
            raise AssertionError(f"the worker exited while waiting for {what}: {worker.tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class WorkerDatabase:
    def __init__(self, tmp_path: Path):
        self.env = database_for_servers(tmp_path)  # SQLite: also copies the test database to a file
        self.env["DJANGO_SETTINGS_MODULE"] = "tests.worker_settings"
        passed = {}
        for name in (n for n in dir(settings) if n.isupper()):
            if name in PASSED_ON or name.endswith("_ROOT"):
                try:
                    passed[name] = json.loads(json.dumps(getattr(settings, name)))
                except TypeError:
                    continue
        self.env["TEST_WORKER_SETTINGS"] = json.dumps(passed)
        self.path = None if uses_postgres() else Path(self.env["SQLITE_PATH"])

    def _files(self):
        return [self.path.with_name(self.path.name + suffix) for suffix in ("", "-wal", "-shm")]

    def to_worker(self) -> None:
        """Give the worker what the test wrote (SQLite: a fresh copy of the test database)."""
        if self.path is None:
            return
        for file in self._files():
            file.unlink(missing_ok=True)
        connection.ensure_connection()
        with sqlite3.connect(self.path) as target:
            connection.connection.backup(target)
        target.close()

    def from_worker(self) -> None:
        """Take back what the workers wrote (no worker may be running)."""
        if self.path is None:
            return
        connection.ensure_connection()
        source = sqlite3.connect(self.path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()

    def value(self, sql: str, params=()):
        """The first column of the first row, read straight from the worker's database."""
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        else:
            source = sqlite3.connect(self.path, timeout=20)
            try:
                row = source.execute(sql.replace("%s", "?"), params).fetchone()
            finally:
                source.close()
        return row[0] if row else None

    def writing(self) -> bool:
        """True while someone holds the write lock, as a worker inside a transaction does (SQLite)."""
        if self.path is None:
            return True  # PostgreSQL takes no database-wide lock: callers wait on the job's status only
        probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()


class Worker:
    """One `manage.py db_worker`; `kill()` is SIGKILL: the task in hand stops where it stands."""

    def __init__(self, db: WorkerDatabase, log: Path, *, batch: bool = False):
        self.log = log
        args = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "-v", "2"]
        with open(log, "a") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", *args, *(["--batch"] if batch else [])],
                env=db.env,
                cwd=settings.BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def wait(self, timeout: float) -> int:
        """For a --batch worker: its exit code once it has run every queued task."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker did not finish in {timeout:.0f} s: {self.tail()}") from None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]
