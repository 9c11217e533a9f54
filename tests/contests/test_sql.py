"""The batch statements store exactly what the ORM would, on SQLite and on PostgreSQL (.ci/run)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from django.utils import timezone

from contests import sql
from contests.models import TheoryAnswer, TheoryAnswerLog

pytestmark = pytest.mark.django_db


def test_insert_and_update_each_round_trip_uuids_json_decimals_and_times(entry, paper):
    now = timezone.now()
    single, tf, fill = paper
    rows = [
        TheoryAnswer(
            entry_id=entry.pk,
            question_id=q.pk,
            client_id=uuid.uuid4(),
            answer=value,
            score=Decimal("7.5"),
            correct=True,
            saved_at=now,
            updated_at=now,
        )
        for q, value in ((single, ["a1"]), (tf, False), (fill, ["传输控制协议", "IP"]))
    ]
    sql.insert_each(rows)
    stored = {a.question_id: a for a in TheoryAnswer.objects.filter(entry=entry)}
    assert {q: (a.client_id, a.answer, a.score, a.saved_at) for q, a in stored.items()} == {
        r.question_id: (r.client_id, r.answer, r.score, now) for r in rows
    }

    changed = stored[fill.pk]
    changed.answer, changed.score, changed.revision, changed.client_id = {"空": "值"}, Decimal("2.0"), 3, uuid.uuid4()
    sql.update_each([changed], ["answer", "score", "revision", "client_id"])
    again = TheoryAnswer.objects.get(pk=changed.pk)
    assert (again.answer, again.score, again.revision, again.client_id) == (
        {"空": "值"},
        Decimal("2.0"),
        3,
        changed.client_id,
    )
    assert TheoryAnswer.objects.get(pk=stored[tf.pk].pk).answer is False  # the others untouched


def test_one_time_object_shared_by_rows_and_distinct_times_are_each_stored_as_given(entry, paper):
    shared, later = timezone.now(), timezone.now() + dt.timedelta(seconds=1, microseconds=7)
    equal_but_other = shared.astimezone(dt.timezone(dt.timedelta(hours=8)))  # the same instant, another object
    times = [shared, later, shared, equal_but_other]
    logs = [
        TheoryAnswerLog(entry_id=entry.pk, question_id=paper[0].pk, client_id=uuid.uuid4(), revision=i, created_at=t)
        for i, t in enumerate(times, start=1)
    ]
    sql.insert_each(logs)
    stored = dict(TheoryAnswerLog.objects.filter(entry=entry).values_list("revision", "created_at"))
    assert stored == {1: shared, 2: later, 3: shared, 4: shared}
