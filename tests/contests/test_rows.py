"""config.rows, as the answer writer reads with it: exactly what the ORM gives, on SQLite and PostgreSQL."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from django.utils import timezone

from config import rows
from contests.models import Round, RoundQuestion, RoundSequence, ScoreboardRow, TheoryAnswer, TheoryAnswerLog
from contests.services.common import next_seqs

pytestmark = pytest.mark.django_db


def test_select_rows_matches_values_list_with_every_converter(entry, other_entry, paper):
    now = timezone.now().replace(microsecond=123456)
    stored = [
        TheoryAnswer.objects.create(
            entry=e,
            question=q,
            client_id=uuid.uuid4(),
            answer={"选": ["甲"]},
            score=Decimal("2.5"),
            correct=True,
            saved_at=now,
            updated_at=now + dt.timedelta(seconds=1),
        )
        for e in (entry, other_entry)
        for q in paper
    ]
    fields = ("id", "entry", "client_id", "answer", "score", "correct", "saved_at", "updated_at")
    ids = [a.pk for a in stored]
    got = rows.select_rows(TheoryAnswer, fields, where={"pk": ids[:4], "entry": [entry.pk]}, order=("id",))
    orm = list(
        TheoryAnswer.objects.filter(pk__in=ids[:4], entry=entry)
        .order_by("id")
        .values_list("id", "entry", "client_id", "answer", "score", "correct", "saved_at", "updated_at")
    )
    assert got == orm and len(got) == 3
    assert isinstance(got[0][2], uuid.UUID) and got[0][3] == {"选": ["甲"]} and got[0][6] == now
    assert rows.select_rows(TheoryAnswer, fields, where={"pk": []}) == []


def test_select_objects_are_the_orms_objects(running_round, entry):
    rnd = rows.select_objects(Round, where={"pk": [running_round.pk]})[0]
    orm = Round.objects.get(pk=running_round.pk)
    assert [getattr(rnd, f.attname) for f in Round._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in Round._meta.concrete_fields
    ]
    assert rnd.deadline(timezone.now(), 0) == orm.deadline(timezone.now(), 0)
    row = rows.select_objects(ScoreboardRow, where={"entry": [entry.pk]}, lock=True)[0]
    assert row.pk == ScoreboardRow.objects.get(entry=entry).pk and not row._state.adding
    lines = rows.select_rows(RoundQuestion, ("question", "snapshot"), where={"round": [running_round.pk]})
    assert all(isinstance(snapshot, dict) for _q, snapshot in lines)


def test_select_pairs_matches_exact_pairs_only(entry, other_entry, paper):
    now = timezone.now()
    logs = [
        TheoryAnswerLog(entry_id=e.pk, question_id=q.pk, client_id=uuid.uuid4(), revision=1, created_at=now)
        for e in (entry, other_entry)
        for q in paper
    ]
    TheoryAnswerLog.objects.bulk_create(logs)
    wanted = {(logs[0].entry_id, logs[0].client_id), (logs[4].entry_id, logs[4].client_id)}
    crossed = {(logs[0].entry_id, logs[4].client_id)}  # a real entry with another entry's id
    found = rows.select_pairs(TheoryAnswerLog, ("entry", "client_id"), "entry", "client_id", wanted | crossed)
    assert set(found) == wanted
    assert rows.select_pairs(TheoryAnswerLog, ("entry",), "entry", "client_id", []) == []
    with pytest.raises(ValueError, match="at most"):
        rows.select_pairs(
            TheoryAnswerLog, ("entry",), "entry", "client_id", [(n, uuid.uuid4()) for n in range(rows.MAX_PAIRS + 1)]
        )


def test_next_seqs_hands_out_consecutive_numbers_and_refuses_a_round_without_a_sequence(running_round):
    first = next_seqs(running_round.pk, 3)
    second = next_seqs(running_round.pk)
    assert len(first) == 3 and list(second) == [first[-1] + 1]

    with pytest.raises(RoundSequence.DoesNotExist):
        next_seqs(10**9)
