"""bench_catalogue: a fast smoke of the measuring code on a few generated courses."""

import pytest

from django.core.management import CommandError, call_command

from courses.demo.generate import courses_generate
from courses.management.commands.bench_catalogue import GOAL_QUERIES, measure_all


@pytest.mark.django_db
def test_catalogue_queries_stay_fixed_as_courses_grow_and_search_finds_inner_and_lesson_words():
    courses_generate(count=40)
    small = measure_all(repeat=1)
    courses_generate(count=80)
    large = measure_all(repeat=1)

    assert {name: p["queries"] for name, p in large.items()} == {name: p["queries"] for name, p in small.items()}
    assert all(p["queries"] <= GOAL_QUERIES for p in large.values())
    assert large["search"]["hits"] > 0
    assert large["search"]["mid_title_hits"] > 0
    assert large["search"]["lesson_title_hits"] > 0


def test_worker_refuses_to_run_outside_its_scratch_database(monkeypatch):
    monkeypatch.delenv("BENCH_CATALOGUE_SCRATCH", raising=False)
    with pytest.raises(CommandError, match="临时"):
        call_command("bench_catalogue", "--worker", "--courses=10", "--small=5")
