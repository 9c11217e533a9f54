"""bench_round's load generator and bare server, against each other (no Django server, a few seconds)."""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contests.benchmark import load

pytestmark = pytest.mark.embedded  # conftest: not repeated in the PostgreSQL + Redis pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def setup_file(tmp_path):
    questions = [
        {"id": 1, "kind": "single", "options": ["a1", "b2"], "key": ["a1"]},
        {"id": 2, "kind": "true_false", "options": [], "key": True},
    ]
    entries = [
        {
            "entry": n,
            "session": f"s{n}",
            "name": f"选手{n}",
            "organisation": "甲公司",
            "province": "32",
            "province_name": "江苏省",
        }
        for n in range(1, 9)
    ]
    setup = {
        "round": 7,
        "paper": {"round": 7, "questions": [{"id": 1}, {"id": 2}]},
        "questions": questions,
        "sessions": [e["session"] for e in entries],
        "entries": entries,
    }
    path = tmp_path / "setup.json"
    path.write_text(json.dumps(setup, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("served_by", ["websockets", "daphne"])
def test_load_against_the_bare_server_acks_everything_and_measures_staleness(setup_file, tmp_path, served_by):
    """The bare handling as its own `websockets` server, and as an ASGI app served by Daphne
    (`bench_round --bare-daphne`): the same answers acknowledged and stored, the same boards."""
    port, stored = free_port(), tmp_path / "stored.json"
    if served_by == "websockets":
        cmd = [sys.executable, "-m", "contests.benchmark.bare", "--setup", str(setup_file), "--port", str(port)]
        server = subprocess.Popen([*cmd, "--stored", str(stored)])  # noqa: S603
    else:
        daphne = str(Path(sys.executable).with_name("daphne"))
        env = os.environ | {"BENCH_ROUND_SETUP": str(setup_file), "BENCH_ROUND_STORED": str(stored)}
        app = "contests.benchmark.bare_asgi:application"
        server = subprocess.Popen([daphne, "-b", "127.0.0.1", "-p", str(port), app], env=env)  # noqa: S603
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        args = argparse.Namespace(
            setup=str(setup_file),
            url=f"ws://127.0.0.1:{port}",
            contestants=8,
            viewers=3,
            duration=2,
            rate=20,
            grace=5,
            storm=0.5,
            server_pid=None,
        )
        result = asyncio.run(load.run(args))
    finally:
        server.terminate()
        server.wait(10)
    assert result["connected"] == 8 and result["socket_failures"] == 0
    assert result["storm_refused"] == 0 and result["storm_contestants"] == 8
    assert 0 < result["storm_paper_p50_ms"] <= result["storm_paper_p99_ms"] < 5000
    assert result["server_cpu_cores"] is None and result["server_cpu_ms_per_connect"] is None  # no --server-pid
    assert result["queries_per_connect"] is None
    assert 30 <= result["sent"] <= 50
    assert result["acked"] == result["sent"] and result["unacked"] == 0
    assert set(json.loads(stored.read_text())) == set(result["sent_ids"])
    assert result["staleness_samples"] > 0 and result["board_frames"] > 0
    assert 0 < result["staleness_p50_ms"] < 1000


def test_bench_round_end_to_end_prints_the_figures_the_issue_asks_for():
    """A tiny run of the real command: scratch database, Daphne, load process, bare server."""
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command("bench_round", contestants=6, viewers=3, duration=2, rate=12, stdout=out, stderr=err)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    keys = {"contestants", "viewers", "answers_per_s", "ack_p50_ms", "ack_p99_ms", "staleness_p50_ms"}
    keys |= {"staleness_p99_ms", "lost", "duplicated", "peak_rss_mb", "bare", "ratio_ack_p99", "ratio_staleness_p99"}
    assert keys <= result.keys()
    keys |= {"storm_paper_p50_ms", "storm_paper_p99_ms", "storm_refused", "ratio_storm_paper_p99", "server_cpu_cores"}
    assert keys <= result.keys()
    assert {"ack_p99_ms", "staleness_p99_ms", "storm_paper_p99_ms", "server_cpu_cores"} <= result["bare"].keys()
    assert result["storm_refused"] == 0 and result["bare"]["storm_refused"] == 0
    assert result["storm_paper_p99_ms"] > 0 and result["ratio_storm_paper_p99"] > 0
    assert result["server_cpu_cores"] > 0 and result["bare"]["server_cpu_cores"] >= 0
    assert result["server_cpu_ms_per_connect"] >= 0 and result["bare"]["server_cpu_ms_per_connect"] >= 0
    assert result["queries_per_connect"] is not None and result["queries_per_connect"] >= 0
    assert result["connected"] == 6 and result["socket_failures"] == 0
    assert result["sent"] >= 18 and result["acked"] == result["sent"]
    assert result["lost"] == 0 and result["duplicated"] == 0 and result["bare"]["lost"] == 0
    assert result["peak_rss_mb"] > 0


def _bare_server(setup_file, tmp_path, name):
    port = free_port()
    cmd = [sys.executable, "-m", "contests.benchmark.bare", "--setup", str(setup_file), "--port", str(port)]
    server = subprocess.Popen([*cmd, "--stored", str(tmp_path / f"{name}.json")])  # noqa: S603
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return server, port


def test_load_spread_over_two_servers_splits_staleness_and_cpu_by_server(setup_file, tmp_path):
    """--url twice: contestants and viewers alternate between the servers. Two bare servers share
    nothing, so a viewer only ever sees rows of its own server's contestants: every staleness sample
    is same-server, none cross (a wrong entry → server map would count some as cross)."""
    servers = [_bare_server(setup_file, tmp_path, name) for name in ("a", "b")]
    try:
        args = argparse.Namespace(
            setup=str(setup_file),
            url=[f"ws://127.0.0.1:{port}" for _server, port in servers],
            contestants=8,
            viewers=4,
            duration=2,
            rate=20,
            grace=5,
            storm=0.5,
            server_pid=[server.pid for server, _port in servers],
        )
        result = asyncio.run(load.run(args))
    finally:
        for server, _port in servers:
            server.terminate()
            server.wait(10)
    assert result["servers"] == 2 and result["connected"] == 8 and result["socket_failures"] == 0
    assert result["acked"] == result["sent"] > 0
    assert len(result["server_cpu_cores_each"]) == 2 and len(result["storm_server_cpu_cores_each"]) == 2
    assert result["server_cpu_cores"] == round(sum(result["server_cpu_cores_each"]), 3)
    assert result["staleness_samples"] > 0 and result["staleness_cross_samples"] == 0
    assert result["staleness_same_p50_ms"] == result["staleness_p50_ms"]
    assert "acked_during_outage" not in result  # no --phase-file, no outage


def test_outage_counts_acks_while_down_and_each_viewers_first_newer_board(tmp_path):
    phase = tmp_path / "phases.json"
    (tmp_path / "phases.json.fault").write_text(json.dumps({"down": 1000.0, "up": 1003.0, "seq_up": 40}))
    stats = load.Stats()
    t0, wall0 = 50.0, 990.0  # perf_counter 50 is wall 990
    stats.acked_at = {"before": 59.0, "during": 61.5, "also": 63.0, "after": 64.0}  # wall 999, 1001.5, 1003, 1004
    stats.frames = [
        [(39, 1002.0), (40, 1003.5), (41, 1004.0)],  # converges 1.0 s after up
        [(38, 1001.0), (42, 1006.5)],  # 3.5 s
        [(30, 999.0)],  # never saw a newer board
    ]
    figures = load._outage(str(phase), stats, t0, wall0)
    assert figures["acked_during_outage"] == 2
    assert figures["outage_s"] == 3.0
    assert figures["board_converged_s"] == 3.5
    assert figures["viewers_not_converged"] == 1
    assert load._outage(None, stats, t0, wall0) == {}
