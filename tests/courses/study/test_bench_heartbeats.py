"""bench_heartbeats: what it calls lost and over-credited, and a tiny end-to-end run (scratch database,
Daphne, load process, bare ASGI endpoint; about 30 s) so that the command cannot rot."""

import json
import sqlite3
from io import StringIO

import pytest

from django.core.management import call_command

from courses.management.commands.bench_heartbeats import Command

pytestmark = pytest.mark.embedded  # conftest: not repeated in the PostgreSQL + Redis pass


def _ledger(path, rows, last_seq=None):
    """rows: (learner, seconds); last_seq: {learner: the last beat the server stored} (default 0)."""
    last_seq = last_seq or {}
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE courses_studyday (learner_id INTEGER, seconds INTEGER)")
        conn.execute(
            "CREATE TABLE courses_lessonstudy (learner_id INTEGER, effective_seconds INTEGER, last_seq INTEGER)"
        )
        conn.executemany("INSERT INTO courses_studyday VALUES (?, ?)", rows)
        conn.executemany(
            "INSERT INTO courses_lessonstudy VALUES (?, ?, ?)", [(pk, s, last_seq.get(pk, 0)) for pk, s in rows]
        )


def _learner(pk, *, c0, s0, sent, acked, credited=0, acked_seq=None, unacked=()):
    return {
        "learner": pk,
        "c0": c0,
        "s0": s0,
        "acked_sent": sent,
        "acked_at": acked,
        "credited": credited,
        "acked_seq": acked_seq,
        "unacked": [list(u) for u in unacked],
    }


def test_verify_counts_what_is_missing_and_what_exceeds_the_wall_clock(tmp_path):
    db = tmp_path / "db.sqlite3"
    # 1 watched 30.4 s and got 30; 2 watched 30.4 s and got 29 (1 s lost); 3 was connected 31.2 s
    # and got 33 (2 s over); 4 has nothing acknowledged and got 5 (all over).
    _ledger(db, [(1, 30), (2, 29), (3, 33), (4, 5)])
    learners = [
        _learner(1, c0=0.0, s0=0.1, sent=30.5, acked=30.6),
        _learner(2, c0=0.0, s0=0.1, sent=30.5, acked=30.6),
        _learner(3, c0=0.0, s0=0.1, sent=31.0, acked=31.2),
        _learner(4, c0=0.0, s0=None, sent=None, acked=None),
    ]
    result = Command().verify(db, learners, tolerance=2.0)
    assert result["credited_s"] == 97
    assert result["expected_s"] == 30 + 30 + 30
    assert result["lost_s"] == 1 and result["learners_short"] == 1
    assert result["over_credited_s"] == 2 + 5 and result["learners_over"] == 2


def test_verify_allows_a_stored_beat_whose_ack_the_learner_never_saw(tmp_path):
    """A learner that stops waiting (or whose socket closes) before its last beat's ack: the server
    stored and credited that beat (the study's last_seq says so), at most its active seconds plus the
    tolerance. That is not over-credited; more than that, or credit for a beat not stored, is."""
    db = tmp_path / "db.sqlite3"
    # All acked up to seq 2 at 30.6 s (allowed 30); seq 3 (active 15) sent at 45.5, no ack seen.
    # 1: seq 3 stored, credited 30 + 15 + 1 (the tolerance covers 2): not over.
    # 2: seq 3 stored, credited 30 + 15 + 5: 3 s over (allowed 30 + 15 + 2 = 47).
    # 3: seq 3 not stored (last_seq 2), credited 45: 15 s over.
    # 4: the connect never saw its hello acknowledged beat; seq 1 (active 10) stored, credited 11: not over.
    _ledger(db, [(1, 46), (2, 50), (3, 45), (4, 11)], last_seq={1: 3, 2: 3, 3: 2, 4: 1})
    after = {"acked_seq": 2, "unacked": [(3, 15.0)]}
    learners = [
        _learner(1, c0=0.0, s0=0.1, sent=30.5, acked=30.6, **after),
        _learner(2, c0=0.0, s0=0.1, sent=30.5, acked=30.6, **after),
        _learner(3, c0=0.0, s0=0.1, sent=30.5, acked=30.6, **after),
        _learner(4, c0=0.0, s0=0.1, sent=None, acked=None, unacked=[(1, 10.0)]),
    ]
    result = Command().verify(db, learners, tolerance=2.0)
    assert result["over_credited_s"] == 3 + 15 and result["learners_over"] == 2
    assert result["stored_unacked_beats"] == 3 and result["stored_unacked_learners"] == 3
    assert result["lost_s"] == 0 and result["expected_s"] == 3 * 30


def test_bench_heartbeats_end_to_end_prints_the_figures_the_issue_asks_for():
    out, err = StringIO(), StringIO()
    call_command("bench_heartbeats", learners=5, duration=3, interval=1.5, courses=2, stdout=out, stderr=err)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    keys = {"learners", "heartbeats_per_s", "ack_p50_ms", "ack_p99_ms", "credited_s", "expected_s", "lost_s"}
    keys |= {"over_credited_s", "peak_rss_mb", "bare", "ratio_ack_p99", "connect_s", "connected", "server_cpu_s"}
    assert keys <= result.keys()
    assert {"ack_p50_ms", "ack_p99_ms", "heartbeats_per_s", "peak_rss_mb", "server_cpu_s"} <= result["bare"].keys()
    assert result["connected"] == 5 and result["refused"] == 0 and result["socket_failures"] == 0
    assert result["steady_sent"] == 10 and result["acked_in_steady"] == 10 and result["unacked"] == 0
    assert result["errors"] == 0 and result["refused_codes"] == {}
    assert result["lost_s"] == 0 and result["over_credited_s"] == 0
    assert result["expected_s"] > 0 and result["credited_s"] == result["lesson_study_s"] == result["acked_credited_s"]
    assert result["bare"]["connected"] == 5
    # Time the machine's CPUs waited for the host while the figures were taken: a disturbed run shows.
    assert result["steal_cores_steady"] >= 0 and result["bare"]["steal_cores_steady"] >= 0
