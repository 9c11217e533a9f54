"""Writes on one SQLite file taking turns, and the WAL checkpoints kept off their commits (config/write_turns.py)."""

import fcntl
import os
import sqlite3
import threading
import time
from types import SimpleNamespace

import pytest

from config import write_turns as turns


@pytest.fixture
def sqlite_file(tmp_path, monkeypatch):
    """`turns` sees a SQLite file database (the tests' own is in memory or PostgreSQL); its
    connection is a plain sqlite3 one in WAL mode, as config/settings/base.py opens them."""
    path = str(tmp_path / "db.sqlite3")
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.execute("PRAGMA journal_mode=WAL")
    fake = SimpleNamespace(
        vendor="sqlite",
        is_in_memory_db=lambda: False,
        settings_dict={"NAME": path},
        connection=raw,
        ensure_connection=lambda: None,
    )
    monkeypatch.setattr(turns, "connection", fake)
    monkeypatch.setattr(turns, "_local", threading.local())
    monkeypatch.setattr(turns, "_checkpoints", {})
    monkeypatch.setattr(turns, "CHECKPOINT_SECONDS", 0.01)
    yield fake
    for checkpoints in list(turns._checkpoints.values()):
        checkpoints.stop()
    raw.close()


def test_writers_of_one_sqlite_file_take_turns(sqlite_file):
    """Two writers (two processes in production; here the lock file opened twice) never hold a turn
    at once, and the second gets it as soon as the first lets go."""
    first, second = turns.TakeTurns(), turns.TakeTurns()
    order = []

    def later():
        with second.turn():
            order.append("second")

    with first.turn():
        thread = threading.Thread(target=later)
        thread.start()
        time.sleep(0.2)
        order.append("first done")
    thread.join(5)
    assert order == ["first done", "second"]


def test_an_in_memory_database_needs_no_turns(monkeypatch):
    monkeypatch.setattr(turns, "connection", SimpleNamespace(vendor="sqlite", is_in_memory_db=lambda: True))
    with turns.TakeTurns().turn():
        pass
    with turns.on_turn():
        pass
    assert turns.taking_turns(lambda: 7)() == 7


def turn_is_free(path: str) -> bool:
    fd = os.open(f"{path}.writer-turns", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_socket_write_runs_on_the_turn_without_autocheckpoint(sqlite_file):
    """A socket's opens and idle answers (through `taking_turns`) hold the turn the batches take, and
    their connection's commits do not checkpoint."""
    path = sqlite_file.settings_dict["NAME"]
    seen = []

    def open_(learner, lesson_id):
        seen.append((turn_is_free(path), sqlite_file.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]))
        with turns.on_turn():  # re-entrant: a nested write in the same thread does not wait for itself
            seen.append("nested")
        return lesson_id

    assert turns.taking_turns(open_)(learner=None, lesson_id=3) == 3
    assert seen == [(False, 0), "nested"]
    assert turn_is_free(path)


@pytest.mark.django_db
def test_the_consumer_opens_a_study_on_the_turn(monkeypatch):
    from courses.study import consumers, services

    wrapped = []

    def recorder(func):
        wrapped.append(func)
        return turns.taking_turns(func)

    monkeypatch.setattr(consumers, "taking_turns", recorder)
    monkeypatch.setattr(turns, "connection", SimpleNamespace(vendor="postgresql"))

    def study_opens(*, requests):
        return [services.StudyRefused("x", "x") for _request in requests]

    monkeypatch.setattr(services, "study_opens", study_opens)
    consumer = consumers.StudyConsumer()
    consumer.scope = {"user": SimpleNamespace(is_authenticated=True), "url_route": {"kwargs": {"lesson_id": "5"}}}
    refused = []

    async def refuse(code, message, close_code):
        refused.append(code)

    consumer.refuse = refuse
    from asgiref.sync import async_to_sync

    async_to_sync(consumer.connect)()
    assert wrapped == [study_opens] and refused == ["x"]


def test_no_write_waits_for_a_checkpoint(sqlite_file, monkeypatch):
    """The checkpoint runs in its own thread: while one is stuck, writers still take turns and commit."""
    stuck, release = threading.Event(), threading.Event()

    def slow_checkpoint(self, db):
        stuck.set()
        release.wait(10)
        return (0, 0, 0)

    monkeypatch.setattr(turns.Checkpoints, "checkpoint", slow_checkpoint)
    raw = sqlite_file.connection
    raw.execute("CREATE TABLE t (x)")
    with turns.on_turn():
        raw.execute("INSERT INTO t VALUES (1)")
    assert stuck.wait(5)
    started = time.monotonic()
    for i in range(20):
        with turns.on_turn():
            raw.execute("INSERT INTO t VALUES (?)", (i,))
    assert time.monotonic() - started < 2
    release.set()
    assert raw.execute("SELECT count(*) FROM t").fetchone()[0] == 21


def test_checkpoints_keep_the_wal_bounded(sqlite_file):
    """With the writers' automatic checkpoint off, the checkpoint thread backfills the WAL, so the
    next commits reuse it from its start instead of growing it."""
    raw = sqlite_file.connection
    raw.execute("CREATE TABLE t (x BLOB)")
    wal = sqlite_file.settings_dict["NAME"] + "-wal"
    blob = os.urandom(100_000)
    for _ in range(40):  # 4 MB written in all
        with turns.on_turn():
            raw.execute("INSERT INTO t VALUES (?)", (blob,))
        checkpoints = turns._checkpoints[sqlite_file.settings_dict["NAME"]]
        runs = checkpoints.runs
        deadline = time.monotonic() + 5
        while checkpoints.runs == runs and time.monotonic() < deadline:
            time.sleep(0.01)
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert checkpoints.runs >= 40
    assert os.path.getsize(wal) < 1_000_000
