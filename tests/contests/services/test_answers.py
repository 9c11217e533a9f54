"""Answers: the rules one save meets (deadline, pause, resends, malformed, takeover), and batches
(group commit), where each outcome is what the save alone would have got."""

import random
import uuid
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contests import selectors, services
from contests.models import Entry, ScoreboardEvent, ScoreboardRow, TheoryAnswer, TheoryAnswerLog
from contests.services import AnswerAck, AnswerRejected, AnswerSave
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, half, right, theory_answer_save, wrong

pytestmark = pytest.mark.django_db


def save(entry, question, payload, client_id=None, **kw):
    return theory_answer_save(entry=entry, question_id=question.pk, client_id=client_id or cid(), answer=payload, **kw)


# ---------------------------------------------------------------- one save


def test_answer_after_deadline_is_rejected_with_a_clear_message(entry, paper, clock):
    clock.move_to(T0 + minutes(89))
    assert not save(entry, paper[0], right(paper[0])).duplicate
    clock.move_to(T0 + minutes(90))
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[1], right(paper[1]))
    assert exc.value.code == "deadline"
    assert exc.value.message == "作答时间已结束，答案未保存"
    assert not TheoryAnswer.objects.filter(entry=entry, question=paper[1]).exists()


def test_answer_before_start_and_during_pause_is_rejected(draft_round, organiser, paper, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.get(registration__user=learner)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]))
    assert exc.value.code == "not_started"
    services.round_start(round=draft_round, by=organiser)
    services.round_pause(round=draft_round, by=organiser)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]))
    assert exc.value.code == "paused"


def test_answer_after_the_organiser_ends_the_round_is_rejected(entry, paper, organiser, running_round):
    services.round_end(round=running_round, by=organiser)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]))
    assert exc.value.code == "deadline"


def test_repeated_client_id_is_acknowledged_without_a_second_write(entry, paper, clock):
    client_id = cid()
    first = save(entry, paper[0], right(paper[0]), client_id)
    seq = selectors.board_last_seq(entry.round)
    again = save(entry, paper[0], right(paper[0]), client_id)
    assert (again.duplicate, again.revision, again.client_id) == (True, first.revision, first.client_id)
    assert TheoryAnswerLog.objects.filter(entry=entry).count() == 1
    assert selectors.board_last_seq(entry.round) == seq
    # A retry that arrives after the deadline was still stored in time: acknowledged, not refused.
    clock.move_to(T0 + minutes(120))
    assert save(entry, paper[0], right(paper[0]), client_id).duplicate


def test_a_late_retry_of_an_older_save_does_not_overwrite_the_newer_answer(entry, paper):
    old = cid()
    save(entry, paper[0], wrong(paper[0]), old)
    save(entry, paper[0], right(paper[0]))
    ack = save(entry, paper[0], wrong(paper[0]), old)
    assert ack.duplicate and ack.revision == 1
    stored = TheoryAnswer.objects.get(entry=entry, question=paper[0])
    assert stored.answer == right(paper[0]) and stored.revision == 2


def test_answers_can_be_changed_until_the_deadline(entry, paper, clock):
    save(entry, paper[1], True)
    clock.move_to(T0 + minutes(60))
    ack = save(entry, paper[1], False)
    assert ack.revision == 2
    assert TheoryAnswer.objects.get(entry=entry, question=paper[1]).answer is False


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (["deadbeef"], "unknown option"),
        ({"a": 1}, "not a list"),
        ([1], "not strings"),
    ],
)
def test_malformed_or_foreign_answers_are_rejected(entry, paper, payload, why):
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], payload)
    assert exc.value.code == "invalid", why


def test_an_option_of_another_question_is_rejected(entry, paper, provider_a):
    from tests.factories import QuestionFactory

    foreign = QuestionFactory(provider=provider_a)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], [foreign.option_ids[0]])
    assert exc.value.code == "invalid"
    with pytest.raises(AnswerRejected) as exc:
        save(entry, foreign, right(foreign))
    assert exc.value.code == "unknown_question"


def test_a_superseded_console_cannot_save(entry, paper):
    first = services.entry_connect(entry=entry)
    second = services.entry_connect(entry=entry)
    assert second.session_epoch == first.session_epoch + 1
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]), epoch=first.session_epoch)
    assert exc.value.code == "superseded"
    assert not save(entry, paper[0], right(paper[0]), epoch=second.session_epoch).duplicate


def test_a_batch_updates_fresh_entries_in_place_and_leaves_anyone_elses_as_they_were(entry):
    """A round start's admission reads its entries for the batch alone (`fresh`): no copies, but one
    entry named twice still gives each console its own; without `fresh` the caller's entry is kept."""
    twice = Entry.objects.get(pk=entry.pk)
    first, second = services.entries_connect(connects=[(twice, None), (twice, None)], fresh=True)
    assert first is not second and second.session_epoch == first.session_epoch + 1
    alone = Entry.objects.get(pk=entry.pk)
    (third,) = services.entries_connect(connects=[(alone, None)], fresh=True)
    assert third is alone and third.session_epoch == second.session_epoch + 1
    kept = Entry.objects.get(pk=entry.pk)
    (fourth,) = services.entries_connect(connects=[(kept, None)])
    assert fourth is not kept and kept.session_epoch == third.session_epoch
    assert fourth.session_epoch == Entry.objects.get(pk=entry.pk).session_epoch == third.session_epoch + 1


def test_a_stored_answer_announces_the_new_sequence_after_commit(
    entry, paper, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("contests.events.scoreboard_changed", lambda *a: sent.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        save(entry, paper[0], right(paper[0]))
    assert sent == [(entry.round_id, selectors.board_last_seq(entry.round))]


# ---------------------------------------------------------------- batches (group commit)


def a(entry, question, payload, client_id=None, **kw) -> AnswerSave:
    return AnswerSave(entry_id=entry.pk, question_id=question.pk, client_id=client_id or cid(), answer=payload, **kw)


def board(rnd):
    return sorted(ScoreboardRow.objects.filter(round=rnd).values_list("entry_id", "theory_score", "total"))


def answers(rnd):
    rows = TheoryAnswer.objects.filter(entry__round=rnd)
    return sorted(rows.values_list("entry_id", "question_id", "client_id", "answer", "score", "correct", "revision"))


def test_a_batch_stores_what_the_same_saves_one_by_one_would(running_round, entry, other_entry, paper):
    rng = random.Random(7)
    saves = []
    for _ in range(40):
        question = rng.choice(paper)
        choose = [right, wrong] + ([half] if question.kind == "fill" else [])
        saves.append(a(rng.choice([entry, other_entry]), question, rng.choice(choose)(question)))
    saves.append(saves[5])  # a resend inside the batch

    batch_outcomes = services.theory_answers_save(saves=saves)
    batched = (board(running_round), answers(running_round), TheoryAnswerLog.objects.count())

    TheoryAnswer.objects.all().delete()
    TheoryAnswerLog.objects.all().delete()
    ScoreboardRow.objects.filter(round=running_round).update(theory_score=0, total=0)
    one_by_one = []
    for save in saves:
        try:
            one_by_one.append(
                theory_answer_save(
                    entry=running_round.entries.get(pk=save.entry_id),
                    question_id=save.question_id,
                    client_id=save.client_id,
                    answer=save.answer,
                )
            )
        except AnswerRejected as exc:
            one_by_one.append(exc)
    alone = (board(running_round), answers(running_round), TheoryAnswerLog.objects.count())

    assert batched == alone
    assert batched[2] == 40
    assert [(o.revision, o.duplicate) for o in batch_outcomes] == [(o.revision, o.duplicate) for o in one_by_one]
    assert batch_outcomes[-1].duplicate and batch_outcomes[-1].client_id == saves[5].client_id


def test_refusals_inside_a_batch_leave_the_other_saves_stored(
    running_round, organiser, entry, other_entry, paper, clock
):
    single, tf, _fill = paper
    services.round_extend(round=running_round, by=organiser, seconds=600, entry=entry)
    entry.refresh_from_db()
    clock.move_to(running_round.ends_at + minutes(1))  # only `entry` still has time
    outcomes = services.theory_answers_save(
        saves=[
            a(entry, single, right(single)),
            a(other_entry, single, right(single)),
            a(entry, tf, "不是布尔值"),
            AnswerSave(entry_id=entry.pk, question_id=999_999, client_id=cid(), answer=True),
            AnswerSave(entry_id=entry.pk, question_id=tf.pk, client_id="不是编号", answer=True),
            a(entry, tf, right(tf), epoch=entry.session_epoch + 5),
            a(entry, tf, right(tf)),
        ]
    )
    kinds = [o.code if isinstance(o, AnswerRejected) else "ack" for o in outcomes]
    assert kinds == ["ack", "deadline", "invalid", "unknown_question", "invalid", "superseded", "ack"]
    row = ScoreboardRow.objects.get(entry=entry)
    assert row.theory_score == Decimal(20)
    assert TheoryAnswerLog.objects.filter(entry=entry).count() == 2
    assert not TheoryAnswer.objects.filter(entry=other_entry).exists()


def test_one_feed_event_per_changed_row_and_none_for_a_change_undone_in_the_batch(
    running_round, entry, other_entry, paper, django_capture_on_commit_callbacks
):
    single, tf, _fill = paper
    before = ScoreboardEvent.objects.filter(round=running_round).count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcomes = services.theory_answers_save(
            saves=[
                a(entry, single, right(single)),
                a(entry, tf, right(tf)),
                a(entry, single, wrong(single)),  # the same question again: revision 2
                a(other_entry, tf, right(tf)),
                a(other_entry, tf, wrong(tf)),  # and back: no visible change
            ]
        )
    assert [o.revision for o in outcomes] == [1, 1, 2, 1, 2]
    events = list(ScoreboardEvent.objects.filter(round=running_round).order_by("seq")[before:])
    assert [(e.payload["entry"], e.payload["theory"]) for e in events] == [(entry.pk, "10.0")]
    assert len(callbacks) == 1  # one "the board changed" per round per batch
    assert ScoreboardRow.objects.get(entry=other_entry).theory_score == 0
    assert ScoreboardRow.objects.get(entry=entry).seq == events[-1].seq
    stored = TheoryAnswer.objects.get(entry=entry, question=single)
    assert (stored.revision, stored.correct, stored.client_id) == (2, False, uuid.UUID(outcomes[2].client_id))


def test_a_batch_costs_the_same_few_queries_whatever_its_size(running_round, entry, other_entry, paper):
    def queries(count):
        saves = [a(e, q, right(q)) for e in (entry, other_entry) for q in paper][:count]
        TheoryAnswer.objects.all().delete()
        ScoreboardRow.objects.filter(round=running_round).update(theory_score=0, total=0)
        with CaptureQueriesContext(connection) as ctx:
            outcomes = services.theory_answers_save(saves=saves)
        assert all(isinstance(o, AnswerAck) for o in outcomes)
        return len(ctx.captured_queries)

    assert queries(2) == queries(6)
