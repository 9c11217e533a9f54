"""The per-process answer writer: saves that arrive together share a transaction; nothing waits forever."""

import asyncio
import uuid

import pytest

from django.db import OperationalError

from contests import services, writer
from contests.models import TheoryAnswerLog
from contests.services import AnswerAck, AnswerRejected, AnswerSave
from tests.contests.helpers import cid, right, wrong
from tests.contests.live import _wagtail_roots_after_module, run, wagtail_roots  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


@pytest.fixture
def batches(monkeypatch):
    """Record the size of every batch the writer stores."""
    sizes = []
    real = services.theory_answers_save

    def recording(*, saves, now=None):
        sizes.append(len(saves))
        return real(saves=saves, now=now)

    monkeypatch.setattr(services, "theory_answers_save", recording)
    return sizes


def saves_for(entries, paper):
    return [
        AnswerSave(entry_id=e.pk, question_id=q.pk, client_id=cid(), answer=(right if n % 2 else wrong)(q))
        for n, (e, q) in enumerate((e, q) for e in entries for q in paper)
    ]


def test_saves_arriving_together_share_a_batch_and_each_gets_its_own_outcome(
    running_round, entry, other_entry, paper, batches
):
    saves = saves_for([entry, other_entry], paper)

    async def scenario():
        w = writer.AnswerWriter.get()
        return await asyncio.gather(*(w.save(s) for s in saves))

    outcomes = run(scenario)
    assert [o.client_id for o in outcomes] == [s.client_id for s in saves]
    assert all(isinstance(o, AnswerAck) and not o.duplicate for o in outcomes)
    assert sum(batches) == 6 and len(batches) < 6  # the first alone, the rest gathered behind it
    assert TheoryAnswerLog.objects.count() == 6


def test_a_failed_batch_is_stored_save_by_save(running_round, entry, other_entry, paper, monkeypatch):
    real = services.theory_answers_save
    tried = []

    def busy_for_batches(*, saves, now=None):
        tried.append(len(saves))
        if len(saves) > 1:
            raise OperationalError("database is locked")
        return real(saves=saves, now=now)

    monkeypatch.setattr(services, "theory_answers_save", busy_for_batches)
    saves = saves_for([entry, other_entry], paper)
    outcomes = writer.store(saves)
    assert tried == [6, 1, 1, 1, 1, 1, 1]
    assert all(isinstance(o, AnswerAck) for o in outcomes)
    assert TheoryAnswerLog.objects.count() == 6


def test_a_save_that_keeps_failing_is_answered_retry_and_the_writer_goes_on(running_round, entry, paper, monkeypatch):
    real = services.theory_answers_save
    broken = {"on": True}

    def flaky(*, saves, now=None):
        if broken["on"]:
            raise RuntimeError("bug")
        return real(saves=saves, now=now)

    monkeypatch.setattr(services, "theory_answers_save", flaky)
    first, second = saves_for([entry], paper)[:2]

    async def scenario():
        w = writer.AnswerWriter.get()
        failed = await w.save(first)
        broken["on"] = False
        stored = await w.save(second)
        return failed, stored

    failed, stored = run(scenario)
    assert isinstance(failed, AnswerRejected) and failed.code == "retry"
    assert isinstance(stored, AnswerAck)
    assert list(TheoryAnswerLog.objects.values_list("client_id", flat=True)) == [uuid.UUID(second.client_id)]
