"""The per-process answer writer: saves that arrive together share a transaction; nothing waits forever."""

import asyncio
import time
import uuid

import pytest

from django.db import OperationalError, connection

from contests import scoring, services, writer
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


def test_a_batch_that_fails_on_the_database_is_stored_in_halves(running_round, entry, other_entry, paper, monkeypatch):
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
    assert tried == [6, 3, 1, 2, 1, 1, 3, 1, 2, 1, 1]
    assert [o.client_id for o in outcomes] == [s.client_id for s in saves]
    assert all(isinstance(o, AnswerAck) for o in outcomes)
    assert TheoryAnswerLog.objects.count() == 6


def test_a_batch_that_lost_the_database_connection_is_answered_retry_at_once(
    running_round, entry, other_entry, paper, monkeypatch
):
    """PostgreSQL gone: halving would wait for the connection pool once per half; consoles resend instead."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite ignores closing its in-memory test database, so the lost connection cannot be staged")
    tried = []

    def server_gone(*, saves, now=None):
        tried.append(len(saves))
        connection.close()  # what Django does when the rollback after the error fails too
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "theory_answers_save", server_gone)
    outcomes = writer.store(saves_for([entry, other_entry], paper))
    assert tried == [6]
    assert [o.code for o in outcomes] == ["retry"] * 6
    assert TheoryAnswerLog.objects.count() == 0


def test_a_save_that_keeps_failing_on_the_database_is_answered_retry_and_the_writer_goes_on(
    running_round, entry, paper, monkeypatch
):
    real = services.theory_answers_save
    broken = {"on": True}

    def flaky(*, saves, now=None):
        if broken["on"]:
            raise OperationalError("database is locked")
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


POISON = ["poison"]


@pytest.fixture
def poisonous(monkeypatch):
    """A save whose answer is POISON sets off an exception no rule expects (as a bug would)."""
    real = scoring.answer_parse

    def parse(question, payload):
        if payload == POISON:
            raise LookupError("an unexpected failure in one save")
        return real(question, payload)

    monkeypatch.setattr(scoring, "answer_parse", parse)


def test_a_poisonous_save_is_refused_alone_and_its_batch_and_the_saves_behind_it_are_stored(
    running_round, entry, other_entry, paper, poisonous, batches
):
    saves = saves_for([entry, other_entry], paper)
    poison = AnswerSave(entry_id=entry.pk, question_id=paper[0].pk, client_id=cid(), answer=POISON)
    saves.insert(3, poison)

    async def scenario():
        w = writer.AnswerWriter.get()
        first = asyncio.ensure_future(w.save(saves[0]))
        await asyncio.sleep(0)  # the first batch is on its way; the rest queue behind it
        rest = [asyncio.ensure_future(w.save(s)) for s in saves[1:]]
        return await asyncio.gather(first, *rest)

    outcomes = run(scenario)
    refused = outcomes[3]
    assert isinstance(refused, AnswerRejected) and refused.code == "failed"
    assert refused.message == "服务器无法保存这个答案，请重新作答；如仍失败，请联系监考人员"
    others = outcomes[:3] + outcomes[4:]
    assert all(isinstance(o, AnswerAck) and not o.duplicate for o in others)
    assert [o.client_id for o in others] == [s.client_id for s in saves if s is not poison]
    assert batches[0] == 1 and len(batches) > 2  # the batch behind the first was split around the poison
    stored = set(TheoryAnswerLog.objects.values_list("client_id", flat=True))
    assert stored == {uuid.UUID(s.client_id) for s in saves if s is not poison}


def test_a_save_with_an_id_no_database_holds_is_refused_before_any_query(running_round, entry, other_entry, paper):
    """On SQLite, 10**30 in a statement raises OverflowError, which used to fail the whole batch."""
    good = saves_for([entry, other_entry], paper)
    bad = [
        AnswerSave(entry_id=entry.pk, question_id=10**30, client_id=cid(), answer=True),
        AnswerSave(entry_id=entry.pk, question_id=2**63, client_id=cid(), answer=True),
        AnswerSave(entry_id=entry.pk, question_id=-1, client_id=cid(), answer=True),
        AnswerSave(entry_id=entry.pk, question_id=paper[1].pk, client_id="-".join(["a"] * 5000), answer=True),
    ]
    outcomes = writer.store(good[:3] + bad + good[3:])
    assert [(o.code, o.message) for o in outcomes[3:7]] == [
        ("invalid", "题目编号无效"),
        ("invalid", "题目编号无效"),
        ("invalid", "题目编号无效"),
        ("invalid", "答案编号无效"),
    ]
    assert all(isinstance(o, AnswerAck) for o in outcomes[:3] + outcomes[7:])
    assert TheoryAnswerLog.objects.count() == 6
    (biggest,) = writer.store([AnswerSave(entry_id=entry.pk, question_id=2**63 - 1, client_id=cid(), answer=True)])
    assert biggest.code == "unknown_question"


def test_under_load_batches_are_spaced_and_a_lone_answer_is_stored_at_once(
    running_round, entry, other_entry, paper, settings, monkeypatch
):
    settings.CONTEST_ANSWER_GATHER_MS = 500
    started = []
    real = services.theory_answers_save

    def recording(*, saves, now=None):
        started.append((len(saves), time.monotonic()))
        return real(saves=saves, now=now)

    monkeypatch.setattr(services, "theory_answers_save", recording)
    first, *rest = saves_for([entry, other_entry], paper)

    async def scenario():
        w = writer.AnswerWriter.get()
        asked = time.monotonic()
        pending = [asyncio.ensure_future(w.save(first))]
        for save in rest:  # arriving one by one while the first is stored and the gap runs
            await asyncio.sleep(0.02)
            pending.append(asyncio.ensure_future(w.save(save)))
        return asked, await asyncio.gather(*pending)

    asked, outcomes = run(scenario)
    assert all(isinstance(o, AnswerAck) for o in outcomes)
    sizes = [size for size, _at in started]
    assert sizes == [1, 5]  # the lone first one, then everything that arrived during the gap
    assert started[0][1] - asked < 0.5  # not held back
    assert started[1][1] - started[0][1] >= 0.5 - 0.01


def test_each_batch_is_stored_and_committed_on_the_writers_turn(running_round, entry, paper, monkeypatch):
    """On SQLite the turn keeps the commit from checkpointing the WAL (config/write_turns.py): the batch's
    transaction must begin and commit inside it."""
    import contextlib

    seen = []

    @contextlib.contextmanager
    def recording_turn():
        seen.append("turn")
        yield
        seen.append("turn over" if not connection.in_atomic_block else "turn over inside the transaction")

    real = services.theory_answers_save

    def recording(*, saves, now=None):
        seen.append("store")
        return real(saves=saves, now=now)

    monkeypatch.setattr(writer, "on_turn", recording_turn)
    monkeypatch.setattr(services, "theory_answers_save", recording)
    save = saves_for([entry], paper[:1])[0]

    async def scenario():
        return await writer.AnswerWriter.get().save(save)

    outcome = run(scenario)
    assert isinstance(outcome, AnswerAck)
    assert seen == ["turn", "store", "turn over"]
