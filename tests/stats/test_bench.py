"""bench_stats: the measuring code on a tiny scratch world, in this process (the full run is not a test)."""

import psycopg
import pytest

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

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
        assert page["queries"] == page["queries_small"] and page["cold_p50_ms"] > 0
    assert result["cells"] > 0 and result["ratio_naive"] > 0
    assert result["learners"] == 100 and result["registrations"] == 10  # the same shape on both databases


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="runs when DATABASE_URL is set")


@postgres_only
def test_on_postgresql_the_records_are_built_in_sql_with_the_shape_asked_for(db):
    from certificates.models import Certificate
    from courses.models import CreditedHours, Enrolment
    from stats.benchmark_pg import stats_generate_pg

    built = stats_generate_pg(key="t", enrolments=800)
    mine = Enrolment.objects.filter(learner__username__startswith="st")
    assert built["enrolments"] == mine.count() == 800 and built["learners"] == 200
    assert set(mine.values("learner").annotate(n=Count("id")).values_list("n", flat=True)) == {4}
    done = mine.filter(completed_at__isnull=False).count()
    assert 0.25 < done / 800 < 0.55 and CreditedHours.objects.filter(enrolment__in=mine).count() == done
    assert built["certificates"] == Certificate.objects.filter(number__startswith="S").count() == 80
    assert built["registrations"] == 20


@postgres_only
def test_the_scratch_postgresql_database_is_created_empty_and_dropped(monkeypatch):
    import os

    from config.bench import _admin, require_scratch, scratch_postgres_create, scratch_postgres_drop

    url, name = os.environ["DATABASE_URL"], f"bench_probe_{os.getpid()}"
    created = scratch_postgres_create(url, name)
    try:
        assert created.endswith(f"/{name}")
        with psycopg.connect(created) as conn:
            assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
    finally:
        scratch_postgres_drop(url, name)
    with _admin(url) as conn:  # the server's maintenance database: the configured one need not exist
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name]).fetchone() == (0,)
    with pytest.raises(CommandError):
        scratch_postgres_create(url, "production")
    monkeypatch.setenv(bench.SCRATCH_ENV, connection.settings_dict["NAME"])  # the test database: not a scratch one
    with pytest.raises(CommandError):
        require_scratch("bench_stats", bench.SCRATCH_ENV)
