"""A round's theory paper as grading and contestants see it: the bank's questions while the round is a
draft, the round's own copy (`RoundQuestion.snapshot`) from the lobby on.

`PaperQuestion` carries what courses.grading reads (kind, options, answer …), so the same grading
runs on a copy as on a bank question. Reading a paper costs the query that reads its RoundQuestion
rows; the bank is joined only for lines without a copy (a draft round's).

courses asks two things of contest papers, through the hooks registered in ContestsConfig.ready
(courses.holds): which bank questions a paper uses (their answers are never shown in a quiz review),
and why one may not be deleted.
"""

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from config import rows
from courses.kinds import OPTION_LABELS, QuestionKind

from .models import RoundQuestion, RoundStatus

COPIED_FIELDS = ("kind", "stem", "options", "answer")


@dataclass(frozen=True)
class PaperQuestion:
    """One question of a paper as it is graded and shown: from the copy, or from the bank (draft)."""

    pk: int  # the bank question's id: answers are stored and sent under it
    kind: str
    stem: str
    options: list
    answer: object
    score: Decimal
    order: int = 0
    round_id: int = 0

    @property
    def option_ids(self) -> list[str]:
        return [o["id"] for o in self.options]

    @property
    def blank_count(self) -> int:
        return len(self.answer) if self.kind == QuestionKind.FILL and isinstance(self.answer, list) else 0

    def labelled_options(self) -> list[dict]:
        return [{"id": o["id"], "label": OPTION_LABELS[i], "text": o["text"]} for i, o in enumerate(self.options)]


def question_copy(question) -> dict:
    """What a round keeps of a bank question: kind, stem, options (ids, text, order) and the key."""
    return {
        "kind": question.kind,
        "stem": question.stem,
        "options": [{"id": o["id"], "text": o["text"]} for o in question.options or []],
        "answer": question.answer,
    }


def paper_question(rq: RoundQuestion) -> PaperQuestion:
    """The line's question from its copy; from the bank (a query unless selected with it) before the lobby."""
    values = rq.snapshot if rq.snapshot is not None else question_copy(rq.question)
    return _line(values, pk=rq.question_id, score=rq.score, order=rq.order, round_id=rq.round_id)


def _line(values: dict, *, pk: int, score, order: int, round_id: int) -> PaperQuestion:
    """A paper line from a question's copy (as `question_copy` makes it) and the line's own fields."""
    return PaperQuestion(
        pk=pk,
        kind=values["kind"],
        stem=values["stem"],
        options=list(values["options"] or []),
        answer=values["answer"],
        score=score,
        order=order,
        round_id=round_id,
    )


def paper_lines(round_ids: Iterable[int], question_ids: Iterable[int] | None = None) -> list[PaperQuestion]:
    """The papers' questions (all, or those of `question_ids`) in paper order, each with its `round_id`.

    One query for copied papers; the bank is read only for lines that have no copy yet.
    """
    qs = RoundQuestion.objects.filter(round_id__in=list(round_ids))
    if question_ids is not None:
        qs = qs.filter(question_id__in=list(question_ids))
    lines = list(qs.only("round", "question", "order", "score", "snapshot").order_by("order", "id"))
    missing = [rq.pk for rq in lines if rq.snapshot is None]
    if missing:
        bank = {rq.pk: rq.question for rq in RoundQuestion.objects.filter(pk__in=missing).select_related("question")}
        for rq in lines:
            if rq.snapshot is None:
                rq.question = bank[rq.pk]
    return [paper_question(rq) for rq in lines]


def paper_lines_copied(round_ids: Iterable[int], question_ids: Iterable[int]) -> list[PaperQuestion]:
    """`paper_lines(round_ids, question_ids)` as plain rows (config.rows) for the answer writer, which
    asks for a few lines of a running round's copied paper in every batch; the bank is read, as there,
    only when a line has no copy yet."""
    found = rows.select_rows(
        RoundQuestion,
        ("round_id", "question_id", "order", "score", "snapshot"),
        where={"round_id": sorted(set(round_ids)), "question_id": sorted(set(question_ids))},
        order=("order", "id"),
    )
    if any(snapshot is None for *_line, snapshot in found):
        return paper_lines(round_ids, question_ids)
    return [
        _line(values, pk=question_id, score=score, order=order, round_id=round_id)
        for round_id, question_id, order, score, values in found
    ]


def round_paper(rnd) -> list[PaperQuestion]:
    """The round's paper in order (the copy once the lobby is open)."""
    return paper_lines([rnd.pk])


def round_paper_keyed(rnd) -> tuple[tuple | None, list[PaperQuestion]]:
    """The round's paper in order with a key that changes whenever any of its lines does (the lines'
    ids, orders, scores and copies, as stored), for caching what is built from it; None as the key
    while a line has no copy yet. One query, whose rows are parsed only when `parsed` misses."""
    rows = tuple(
        RoundQuestion.objects.filter(round_id=rnd.pk)
        .order_by("order", "id")
        .values_list("id", "question_id", "order", "score", Cast("snapshot", TextField()))
    )
    if any(row[4] is None for row in rows):
        return None, round_paper(rnd)
    key = (rnd.pk, hash(rows))
    with _parsed_lock:
        lines = _parsed.get(key)
    if lines is None:
        lines = []
        for _id, question_id, order, score, text in rows:
            lines.append(_line(json.loads(text), pk=question_id, score=score, order=order, round_id=rnd.pk))
        with _parsed_lock:
            _parsed[key] = lines
            while len(_parsed) > PARSED_PAPERS:
                _parsed.pop(next(iter(_parsed)))
    return key, list(lines)


PARSED_PAPERS = 64  # rounds whose parsed copy a process keeps (a few KB each)
_parsed: dict[tuple, list[PaperQuestion]] = {}
_parsed_lock = threading.Lock()


# ------------------------------------------------------------------ what courses asks (courses.holds)


def questions_on_papers(question_ids: Iterable[int]) -> set[int]:
    """Which of these bank questions any contest paper uses (draft papers too): their keys stay secret."""
    ids = list(question_ids)
    if not ids:
        return set()
    return set(RoundQuestion.objects.filter(question_id__in=ids).values_list("question_id", flat=True))


def question_delete_refusal(question) -> str | None:
    """Why this bank question cannot be deleted, or None: a contest paper uses it."""
    lines = list(
        RoundQuestion.objects.filter(question_id=question.pk)
        .select_related("round__track")
        .order_by("round__status", "round_id")
    )
    fixed = [rq.round for rq in lines if rq.round.status != RoundStatus.DRAFT]
    if fixed:
        return _(
            "该试题已用于技能大赛场次“%(round)s”的试卷（场次已开放候场），不能删除；修改题库中的这道题也不会改变该场次的试卷。"
        ) % {"round": fixed[0]}
    if lines:
        return _("该试题在技能大赛场次“%(round)s”的试卷中（筹备中）。请组织者先从试卷中移除该题，再删除。") % {
            "round": lines[0].round
        }
    return None
