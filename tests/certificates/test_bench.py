"""bench_certificates: the measuring code on a handful of certificates, in this process."""

import pytest

from django.core.management import CommandError, call_command

from certificates.management.commands import bench_certificates as bench
from certificates.models import Certificate


def test_worker_refuses_to_run_outside_its_scratch_database(monkeypatch):
    monkeypatch.delenv(bench.SCRATCH_ENV, raising=False)
    with pytest.raises(CommandError, match="临时"):
        call_command("bench_certificates", "--worker", "--count=3")


def test_a_batch_of_each_kind_is_issued_with_chinese_names(db, monkeypatch):
    monkeypatch.setattr("django.db.connection.close", lambda: None)  # the pool process closes it; not here
    specs = bench.Command()._data(6)
    for kind in ("completion", "skill_level", "award"):
        result = bench._child_batch([s for s in specs if s["kind"] == kind])
        assert result["n"] == 2 and result["errors"] == []
        assert all(size < 60 * 1024 for size in result["sizes"])
    assert (
        sorted(Certificate.objects.values_list("kind", flat=True))
        == ["award"] * 2 + ["completion"] * 2 + ["skill_level"] * 2
    )
    assert all(len(c.snapshot["holder"]["name"]) >= 2 for c in Certificate.objects.all())


def test_the_pool_preload_module_exists():
    """multiprocessing's forkserver skips a preload module it cannot import, silently: the pool
    would still run, but every worker would start cold."""
    import importlib.util

    assert importlib.util.find_spec(bench.PRELOAD) is not None
