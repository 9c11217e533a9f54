"""Writes that must not wait on one SQLite file: turns between processes, checkpoints off the commits.

`on_turn()` wraps the writes whose acknowledgements wait for them: the study sockets' heartbeat
batches, a study socket's `study_open` and idle answer (courses/study), and the contest answer
writer's batches (contests/writer.py). It takes this process's turn on the file (`TakeTurns`) and
turns SQLite's automatic checkpoint off on the connection: that checkpoint runs inside the commit that
crosses 1,000 WAL pages, while the turn is held, so a batch's acks (and the other process's writers)
waited for it. `Checkpoints` runs `PRAGMA wal_checkpoint(PASSIVE)` instead, in a thread of its own and
on a connection of its own, at most every `CHECKPOINT_SECONDS` while there are writes: a passive
checkpoint neither takes the write lock nor waits for one, so writers commit beside it and the WAL
stays bounded. Nothing changes on PostgreSQL or an in-memory database (tests).
"""

import contextlib
import fcntl
import logging
import os
import sqlite3
import threading

from django.db import connection

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 0.5


def _sqlite_file() -> str | None:
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    return str(connection.settings_dict["NAME"])


class TakeTurns:
    """The writers of one SQLite file (one per server process) take turns on an `flock` of a file
    beside it. Without it, a writer that finds the database locked waits in SQLite's busy handler,
    which sleeps 1, 2, 5, ... up to 100 ms between tries however soon the lock is free: with two
    processes committing a few hundred batches a second, those sleeps made the acknowledgements' tail
    (docs/PERFORMANCE.md). A blocked `flock` wakes as soon as the other lets go. Writers that do not
    go through `on_turn` (a page) still meet the busy handler; PostgreSQL needs no turns."""

    def __init__(self):
        self.fd: int | None = None
        self.path: str | None = None

    def _file(self) -> int | None:
        db = _sqlite_file()
        if db is None:
            return None
        path = f"{db}.writer-turns"
        if self.path != path:
            if self.fd is not None:
                os.close(self.fd)
            self.fd, self.path = os.open(path, os.O_RDWR | os.O_CREAT, 0o600), path
        return self.fd

    @contextlib.contextmanager
    def turn(self):
        fd = self._file()
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)  # lets go of the interpreter's lock while it waits
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


class Checkpoints:
    """One thread per SQLite file and process: after writes (`written()`), a passive checkpoint, then
    at least `every` seconds before the next one."""

    def __init__(self, path: str, every: float):
        self.path, self.every = path, every
        self.wanted, self.stopped = threading.Event(), threading.Event()
        self.runs = 0
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self.thread.start()

    def written(self) -> None:
        self.wanted.set()

    def stop(self) -> None:
        self.stopped.set()
        self.wanted.set()
        self.thread.join(5)

    def checkpoint(self, db: sqlite3.Connection) -> tuple:
        return db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def _run(self) -> None:
        db = None
        while not self.stopped.is_set():
            self.wanted.wait()
            if self.stopped.is_set():
                break
            self.wanted.clear()
            try:
                if db is None:
                    db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
                self.checkpoint(db)
                self.runs += 1
            except sqlite3.Error:
                log.warning("a WAL checkpoint of %s failed", self.path, exc_info=True)
                with contextlib.suppress(sqlite3.Error):
                    db and db.close()
                db = None
            self.stopped.wait(self.every)
        if db is not None:
            db.close()


_checkpoints: dict[str, Checkpoints] = {}
_checkpoints_lock = threading.Lock()
_local = threading.local()


def checkpoints_for(path: str) -> Checkpoints:
    with _checkpoints_lock:
        found = _checkpoints.get(path)
        if found is None or not found.thread.is_alive():
            found = _checkpoints[path] = Checkpoints(path, CHECKPOINT_SECONDS)
        return found


def _without_autocheckpoint() -> None:
    """The connection's commits never checkpoint (once per connection: it is kept for CONN_MAX_AGE)."""
    connection.ensure_connection()
    raw = connection.connection
    if getattr(_local, "raw", None) is not raw:
        raw.execute("PRAGMA wal_autocheckpoint=0")
        _local.raw = raw


@contextlib.contextmanager
def on_turn():
    """This thread's turn on the database file for a write (re-entrant), committed without a
    checkpoint; the checkpoint thread is told afterwards."""
    depth = getattr(_local, "depth", 0)
    path = _sqlite_file()
    if depth or path is None:
        yield
        return
    turns = getattr(_local, "turns", None)
    if turns is None:
        turns = _local.turns = TakeTurns()
    _local.depth = 1
    try:
        with turns.turn():
            _without_autocheckpoint()
            yield
    finally:
        _local.depth = 0
    checkpoints_for(path).written()


def taking_turns(func):
    """`func` called on this thread's turn: a socket's writes other than beats (`study_open` at a
    connect, an idle answer). During a connect storm the opens otherwise waited in SQLite's busy
    handler, and a writer's batch behind them."""

    def call(*args, **kwargs):
        with on_turn():
            return func(*args, **kwargs)

    return call
