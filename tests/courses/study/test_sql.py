"""courses/study/sql.py: the batch statements of a heartbeat batch store what the ORM would, and the
day's ledger adds in the database."""

import datetime as dt

import pytest

from django.utils import timezone

from courses import services as course_services
from courses.models import Lesson, LessonStudy, StudyClock, StudyDay
from courses.study import sql
from courses.study.state import STUDY_FIELDS
from tests.conftest import build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def studies(provider_a, learner, other_learner):
    course = build_course(provider_a)
    lesson = Lesson.objects.filter(course=course).order_by("sort_order").first()
    rows = []
    for person in (learner, other_learner):
        enrolment = course_services.enrolment_create(learner=person, course=course)
        rows.append(LessonStudy.objects.create(enrolment=enrolment, lesson=lesson, learner=person))
    return rows


def test_update_each_writes_every_field_as_the_orm_would(studies):
    first, second = studies
    at = timezone.now().replace(microsecond=123456)
    first.position, first.furthest, first.watched, first.watched_seconds = 12.5, 30.25, [[0.0, 30.25]], 30.25
    first.effective_seconds, first.carry, first.last_beat_at, first.last_seq = 31, 0.75, at, 4
    first.idle_check_due_at, first.idle_check_token = at + dt.timedelta(minutes=12), "abc123"
    second.watched, second.last_seq, second.idle_check_due_at = [], 1, None
    sql.update_each([first, second], [*STUDY_FIELDS])
    stored = LessonStudy.objects.get(pk=first.pk)
    assert [getattr(stored, f) for f in STUDY_FIELDS] == [getattr(first, f) for f in STUDY_FIELDS]
    other = LessonStudy.objects.get(pk=second.pk)
    assert (other.watched, other.last_seq, other.idle_check_due_at) == ([], 1, None)


def test_update_each_splits_long_batches(studies, monkeypatch, learner, other_learner):
    monkeypatch.setattr(sql, "ROWS_PER_STATEMENT", 1)
    clocks = [StudyClock.objects.create(learner=p, credited_until=timezone.now()) for p in (learner, other_learner)]
    later = timezone.now() + dt.timedelta(seconds=15)
    for clock in clocks:
        clock.credited_until = later
    sql.update_each(clocks, ["credited_until"])
    assert set(StudyClock.objects.values_list("credited_until", flat=True)) == {later}


def test_ledger_add_creates_rows_and_adds_to_existing_ones(studies, learner, other_learner):
    lesson = studies[0].lesson
    day = dt.date(2026, 12, 4)
    sql.ledger_add({(learner.pk, lesson.course_id, lesson.pk): 15}, day)
    sql.ledger_add(
        {(learner.pk, lesson.course_id, lesson.pk): 7, (other_learner.pk, lesson.course_id, lesson.pk): 3}, day
    )
    sql.ledger_add({(learner.pk, lesson.course_id, lesson.pk): 1}, day + dt.timedelta(days=1))
    rows = sorted(StudyDay.objects.values_list("learner_id", "day", "seconds"))
    assert rows == sorted(
        [(learner.pk, day, 22), (other_learner.pk, day, 3), (learner.pk, day + dt.timedelta(days=1), 1)]
    )


def test_ledger_add_of_nothing_writes_nothing():
    sql.ledger_add({}, dt.date(2026, 12, 4))
    assert not StudyDay.objects.exists()


def test_select_rows_reads_what_the_orm_reads(studies):
    first, second = studies
    at = timezone.now().replace(microsecond=654321)
    LessonStudy.objects.filter(pk=first.pk).update(watched=[[0.0, 5.5]], last_beat_at=at, session="s1")
    fields = ("pk", "learner_id", "watched", "last_beat_at", "idle_check_due_at", "session", "carry")
    ids = [second.pk, first.pk, 10**9]
    expected = list(LessonStudy.objects.filter(pk__in=ids).order_by("pk").values_list(*fields))
    assert sql.select_rows(LessonStudy, fields, key="pk", ids=ids) == expected
    assert sql.select_rows(LessonStudy, fields, key="pk", ids=[]) == []
    clocks = sql.select_rows(StudyClock, ("learner_id", "credited_until"), key="learner_id", ids=[first.learner_id])
    assert clocks == list(
        StudyClock.objects.filter(learner_id=first.learner_id).values_list("learner_id", "credited_until")
    )
