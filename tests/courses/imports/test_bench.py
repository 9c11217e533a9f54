"""bench_import: the measuring code on a few rows, and its refusal to touch a real database."""

import random

import pytest

from django.core.management import CommandError, call_command

from courses.management.commands.bench_import import Command, courses_csv, question_rows, questions_xlsx
from courses.models import Course, CoursePage, Question


@pytest.mark.django_db
def test_bench_imports_generated_files_through_the_page_services(site):
    command = Command()
    user, provider, other = command._setup()
    rng = random.Random(1)
    rows = question_rows(60, rng)
    first = command.run_import(user, provider, "questions", "q.xlsx", questions_xlsx(rows))
    assert first["summary"] == {"new": 60, "update": 0, "skip": 0, "error": 0}
    again = command.run_import(user, provider, "questions", "q.xlsx", questions_xlsx(rows))
    assert again["summary"]["skip"] == 60
    seconds, rate, cpu_rate = command.plain_bulk_create(other, rows)
    assert Question.objects.filter(provider=other).count() == 60 and rate > 0 and cpu_rate > 0
    data, lines = courses_csv(3, rng)
    assert data.decode("gb18030").splitlines()[1].startswith("课程编号,课程名称")
    result = command.run_import(user, provider, "courses", "c.csv", data)
    assert result["rows"] == lines == 12
    assert Course.objects.filter(provider=provider).count() == 3
    # The bench provider is not trusted (遴选): its pages wait for an organiser, each submitted once.
    assert CoursePage.objects.filter(course__provider=provider, live=True).count() == 0
    pages = CoursePage.objects.filter(course__provider=provider)
    assert [page.workflow_in_progress for page in pages] == [True] * 3


def test_worker_refuses_to_run_outside_its_scratch_database(monkeypatch):
    monkeypatch.delenv("BENCH_IMPORT_SCRATCH", raising=False)
    with pytest.raises(CommandError, match="临时"):
        call_command("bench_import", "--worker", "--questions=10", "--courses=1")
