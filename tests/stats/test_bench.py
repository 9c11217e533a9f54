"""bench_stats: the measuring code on a tiny scratch world, in this process (the full run is not a test)."""

import pytest

from django.core.management import CommandError, call_command
from django.db import connection

from stats.management.commands import bench_stats as bench


def test_worker_refuses_to_run_outside_its_scratch_database(monkeypatch):
    monkeypatch.delenv(bench.SCRATCH_ENV, raising=False)
    with pytest.raises(CommandError, match="临时"):
        call_command("bench_stats", "--worker", "--enrolments=100")


def test_a_tiny_run_reports_every_key(db):
    result = bench.run_bench(enrolments=400, repeat=2, naive_repeat=1)
    assert result["enrolments"] == 400 and result["database"] == connection.vendor
    assert set(result["pages"]) == {"overview", "region", "industry_level", "drilldown"}
    for page in result["pages"].values():
        assert {"p50_ms", "p95_ms", "queries", "queries_small", "naive_p50_ms", "ratio_naive"} <= set(page)
        assert page["queries"] == page["queries_small"]
    assert result["cells"] > 0 and result["ratio_naive"] > 0
