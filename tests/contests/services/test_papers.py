"""Immutable papers: the paper is copied into the round when the lobby opens, grading and contestants use
the copy, and the paper cannot be edited from then on (refused and audited)."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contests import papers, selectors, services
from contests.models import AuditLog, RoundQuestion, ScoreboardRow, TheoryAnswer
from courses.models import Question, QuestionKind
from tests.contests.helpers import cid, right, theory_answer_save, wrong
from tests.courses.imports.helpers import QUESTION_HEADER, run, xlsx
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def save(entry, question, payload):
    return theory_answer_save(entry=entry, question_id=question.pk, client_id=cid(), answer=payload)


def test_opening_the_lobby_copies_stems_options_and_keys_into_the_round(draft_round, organiser, paper):
    assert RoundQuestion.objects.filter(round=draft_round, snapshot__isnull=False).count() == 0
    services.round_open_lobby(round=draft_round, by=organiser)
    lines = {rq.question_id: rq.snapshot for rq in RoundQuestion.objects.filter(round=draft_round)}
    single = paper[0]
    assert lines[single.pk] == {
        "kind": "single",
        "stem": single.stem,
        "options": [{"id": o["id"], "text": o["text"]} for o in single.options],
        "answer": single.answer,
    }
    assert lines[paper[1].pk]["answer"] is True and lines[paper[2].pk]["answer"] == [["TCP", "传输控制协议"], ["IP"]]
    opened = AuditLog.objects.get(action="round.open_lobby", round=draft_round)
    assert opened.data["paper"] == 3


def test_a_draft_round_still_reads_the_live_bank(draft_round, paper):
    Question.objects.filter(pk=paper[1].pk).update(stem="改过的题干", answer=False)
    line = next(q for q in papers.round_paper(draft_round) if q.pk == paper[1].pk)
    assert (line.stem, line.answer) == ("改过的题干", False)


def test_a_key_changed_in_the_bank_after_the_lobby_changes_neither_grading_nor_the_paper(entry, paper, running_round):
    single, tf, _fill = paper
    save(entry, single, right(single))
    save(entry, tf, True)
    board = ScoreboardRow.objects.get(entry=entry)
    assert board.theory_score == 20
    # The bank question is edited: another key, another stem, options reordered and renamed.
    old_key = list(single.answer)
    other = next(i for i in single.option_ids if i not in single.answer)
    single.answer, single.stem = [other], "新的题干"
    single.options = [{"id": o["id"], "text": f"新{o['text']}"} for o in reversed(single.options)]
    single.save()
    Question.objects.filter(pk=tf.pk).update(answer=False)

    assert ScoreboardRow.objects.get(entry=entry).theory_score == 20  # scores already given stand
    assert TheoryAnswer.objects.get(entry=entry, question=single).score == 10
    save(entry, tf, True)  # saved again: graded on the round's copy, still right
    save(entry, single, old_key)
    assert ScoreboardRow.objects.get(entry=entry).theory_score == 20
    save(entry, single, [other])  # the bank's new key is wrong in this round
    assert ScoreboardRow.objects.get(entry=entry).theory_score == 10

    shown = next(q for q in selectors.theory_paper_for(entry)["questions"] if q["id"] == single.pk)
    assert shown["stem"] != "新的题干" and all(not o["text"].startswith("新") for o in shown["options"])


def test_an_import_changing_a_key_after_the_lobby_does_not_change_the_round(
    draft_round, organiser, staff_a, provider_a, learner, clock
):
    row = ["单选", "可编程控制器的英文缩写是？", "PLC", "DCS", "", "", "A", "", "", "", "", "C-1"]
    run(staff_a, provider_a, "questions", "题库.xlsx", xlsx([QUESTION_HEADER, row]))
    question = Question.objects.get(provider=provider_a, external_id="C-1")
    plc, dcs = question.option_ids
    services.paper_question_add(round=draft_round, question=question, score=10, order=9, by=organiser)
    services.round_open_lobby(round=draft_round, by=organiser)
    services.round_start(round=draft_round, by=organiser)
    entry = draft_round.entries.get(registration__user=learner)
    save(entry, question, [plc])
    assert ScoreboardRow.objects.get(entry=entry).theory_score == 10

    job = run(staff_a, provider_a, "questions", "题库.xlsx", xlsx([QUESTION_HEADER, [*row[:6], "B", *row[7:]]]))
    question.refresh_from_db()
    assert [r["action"] for r in job.rows] == ["update"] and question.answer == [dcs]  # the bank changed

    assert ScoreboardRow.objects.get(entry=entry).theory_score == 10
    save(entry, question, [dcs])
    assert ScoreboardRow.objects.get(entry=entry).theory_score == 0
    save(entry, question, [plc])
    assert ScoreboardRow.objects.get(entry=entry).theory_score == 10


def test_grading_a_batch_reads_the_copy_not_the_bank(running_round, entry, other_entry, paper):
    saves = [
        services.AnswerSave(entry_id=e.pk, question_id=q.pk, client_id=cid(), answer=right(q))
        for e in (entry, other_entry)
        for q in paper
    ]
    with CaptureQueriesContext(connection) as ctx:
        outcomes = services.theory_answers_save(saves=saves)
    assert all(isinstance(o, services.AnswerAck) for o in outcomes)
    assert not [q["sql"] for q in ctx.captured_queries if "courses_question" in q["sql"]]


# ---------------------------------------------------------------- editing the paper


def test_a_draft_paper_is_edited_through_the_services_and_audited(draft_round, organiser, provider_a, paper):
    question = QuestionFactory(provider=provider_a)
    line = services.paper_question_add(round=draft_round, question=question, score="2.5", order=7, by=organiser)
    services.paper_question_change(round_question=line, score=4, order=1, by=organiser)
    line.refresh_from_db()
    assert (line.score, line.order) == (4, 1)
    services.paper_question_remove(round_question=line, by=organiser)
    assert not RoundQuestion.objects.filter(pk=line.pk).exists()
    assert Question.objects.filter(pk=question.pk).exists()  # the bank keeps it
    actions = list(
        AuditLog.objects.filter(round=draft_round, action__startswith="paper.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["paper.add", "paper.change", "paper.remove"]


@pytest.mark.parametrize("started", [False, True])
def test_a_paper_is_fixed_once_the_lobby_is_open(draft_round, organiser, provider_a, paper, started):
    services.round_open_lobby(round=draft_round, by=organiser)
    if started:
        services.round_start(round=draft_round, by=organiser)
    line = RoundQuestion.objects.filter(round=draft_round).order_by("order").first()
    before = list(RoundQuestion.objects.order_by("pk").values("pk", "question_id", "order", "score", "snapshot"))
    attempts = [
        lambda: services.paper_question_add(
            round=draft_round, question=QuestionFactory(provider=provider_a), score=1, order=5, by=organiser
        ),
        lambda: services.paper_question_change(round_question=line, score=99, by=organiser),
        lambda: services.paper_question_change(round_question=line, order=42, by=organiser),
        lambda: services.paper_question_remove(round_question=line, by=organiser),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "试卷已定稿" in exc.value.messages[0]
    assert (
        list(RoundQuestion.objects.order_by("pk").values("pk", "question_id", "order", "score", "snapshot")) == before
    )
    refused = AuditLog.objects.filter(action="paper.refused", round=draft_round, actor=organiser)
    assert sorted(refused.values_list("data__attempt", flat=True)) == ["add", "change", "change", "remove"]


def test_a_line_cannot_be_moved_into_a_round_whose_lobby_is_open(draft_round, organiser, running_round, provider_a):
    from tests.contests.factories import RoundFactory

    other = RoundFactory(track=running_round.track)
    line = services.paper_question_add(
        round=other, question=QuestionFactory(provider=provider_a), score=1, order=1, by=organiser
    )
    with pytest.raises(ValidationError):
        services.paper_question_change(round_question=line, round=running_round, by=organiser)
    line.refresh_from_db()
    assert line.round_id == other.pk


def test_paper_edits_refuse_wrong_people_and_bad_input(draft_round, organiser, learner, judge, provider_a, paper):
    question = QuestionFactory(provider=provider_a)
    for person in (learner, judge):
        with pytest.raises(PermissionDenied):
            services.paper_question_add(round=draft_round, question=question, score=1, order=1, by=person)
    short = QuestionFactory(provider=provider_a, kind=QuestionKind.SHORT, options=[], answer="参考")
    bad = [
        {"question": short, "score": 1, "order": 1},
        {"question": paper[0], "score": 1, "order": 1},  # already on the paper
        {"question": question, "score": "1e9", "order": 1},
        {"question": question, "score": "NaN", "order": 1},
        {"question": question, "score": -1, "order": 1},
        {"question": question, "score": 1, "order": -3},
        {"question": question, "score": 1, "order": True},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            services.paper_question_add(round=draft_round, by=organiser, **kwargs)
    assert RoundQuestion.objects.filter(round=draft_round).count() == len(paper)
    line = RoundQuestion.objects.filter(round=draft_round).first()
    with pytest.raises(ValidationError):
        services.paper_question_change(
            round_question=line, question=paper[1] if line.question_id != paper[1].pk else paper[0], by=organiser
        )


def test_deleting_a_bank_question_explains_which_paper_holds_it(draft_round, organiser, paper):
    assert "筹备中" in papers.question_delete_refusal(paper[0])
    services.round_open_lobby(round=draft_round, by=organiser)
    assert "不能删除" in papers.question_delete_refusal(paper[0])
    assert papers.question_delete_refusal(QuestionFactory(provider=paper[0].provider)) is None


def test_wrong_answers_stay_wrong_on_the_copy(entry, paper):
    save(entry, paper[0], wrong(paper[0]))
    assert TheoryAnswer.objects.get(entry=entry, question=paper[0]).score == 0
