"""config/bench.py: the scratch directory of a bench_* command never outlives a failed worker, and
workers refuse any database but their scratch file."""

import glob
import os
import tempfile
from io import StringIO

import pytest

from django.core.management.base import BaseCommand, CommandError

from config.bench import require_scratch, run_in_scratch, steal_seconds

pytestmark = pytest.mark.embedded  # conftest: not repeated in the PostgreSQL + Redis pass


def test_a_failing_worker_is_reported_and_its_scratch_directory_removed():
    command = BaseCommand(stdout=StringIO())
    seen = {}
    with pytest.raises(CommandError, match="测量进程失败"):
        run_in_scratch(command, "no_such_bench", [], marker="BENCH_TEST_SCRATCH", keep=False, before=seen.update)
    assert seen["SQLITE_PATH"] == seen["BENCH_TEST_SCRATCH"] and "DATABASE_URL" not in seen
    assert not glob.glob(seen["SQLITE_PATH"]) and seen["SQLITE_PATH"].startswith(tempfile.gettempdir())


def test_a_worker_refuses_a_database_that_is_not_its_scratch_file(monkeypatch):
    monkeypatch.delenv("BENCH_TEST_SCRATCH", raising=False)
    with pytest.raises(CommandError, match="临时 SQLite"):
        require_scratch("bench_test", "BENCH_TEST_SCRATCH")
    monkeypatch.setenv("BENCH_TEST_SCRATCH", "elsewhere.sqlite3")  # not the test database
    with pytest.raises(CommandError, match="临时 SQLite"):
        require_scratch("bench_test", "BENCH_TEST_SCRATCH")


def test_steal_seconds_reads_the_steal_column_of_all_cpus():
    tick = os.sysconf("SC_CLK_TCK")
    stat = f"cpu  350453 0 40099 261847 1671 0 6394 {35 * tick} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
    assert steal_seconds(stat) == 35.0
    assert steal_seconds("cpu  1 2 3 4\n") == 0.0  # a kernel without the column
    first = steal_seconds()  # this machine's own record, counting up
    assert isinstance(first, float) and 0 <= first <= steal_seconds()
