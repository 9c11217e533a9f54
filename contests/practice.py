"""The wire of practice (模拟练习, docs/protocol.md §8): message shapes and builders of the practice
socket `ws/tracks/<track>/practice/<attempt>/`, and the paper a practice console shows.

Practice reuses the console's frames where they mean the same (`answer.save` in, `answer.rejected`,
`error` and `pong` out, from `contests.events`) and adds three of its own: `practice.hello`, the
first frame; `practice.feedback`, the acknowledgement of a stored answer with right or wrong, the
correct answer and the explanation (it is practice: the key is shown once answered); and
`practice.finished`. Nothing here is published to a group: a practice socket talks to its own
attempt only, and no board, feed or live panel ever hears of it.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal, TypedDict

from django.utils import timezone

from courses import grading
from courses.kinds import OPTION_LABELS, QuestionKind

from .events import dumps
from .papers import PaperQuestion


class PracticeAnswerState(TypedDict):
    answer: object
    client_id: str
    correct: bool
    correct_answer: str
    explanation: str


class PracticeHello(TypedDict):
    type: Literal["practice.hello"]
    attempt: int
    track: int
    title: str
    server_time: str
    started_at: str
    finished_at: str | None
    paper: dict
    answers: dict[str, PracticeAnswerState]


class PracticeFeedback(TypedDict):
    type: Literal["practice.feedback"]
    client_id: str
    question_id: int
    revision: int
    saved_at: str
    duplicate: bool
    correct: bool
    correct_answer: str
    explanation: str
    answered: int
    right: int


class PracticeFinished(TypedDict):
    type: Literal["practice.finished"]
    attempt: int
    finished_at: str
    answered: int
    right: int
    total: int


def paper_question(item: dict) -> PaperQuestion:
    """A question of an attempt's copy, in the shape grading reads (courses.grading via contests.scoring)."""
    return PaperQuestion(
        pk=item["id"],
        kind=item["kind"],
        stem=item["stem"],
        options=list(item.get("options") or []),
        answer=item["answer"],
        score=Decimal(1),
    )


def practice_paper(attempt) -> dict:
    """The attempt's questions as the console renders them: no keys, no explanations, no scores."""
    questions = []
    for number, item in enumerate(attempt.paper, start=1):
        options = (item.get("options") or []) if item["kind"] in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
        questions.append(
            {
                "id": item["id"],
                "no": number,
                "kind": item["kind"],
                "kind_label": str(QuestionKind(item["kind"]).label),
                "stem": item["stem"],
                "score": None,
                "options": [
                    {"id": o["id"], "label": OPTION_LABELS[i], "text": o["text"]} for i, o in enumerate(options)
                ],
                "blanks": paper_question(item).blank_count,
            }
        )
    return {"attempt": attempt.pk, "title": str(attempt.track), "questions": questions}


def key_of(item: dict) -> tuple[str, str]:
    """(the correct answer as a learner reads it, the explanation) of a question of the copy."""
    return grading.answer_display(paper_question(item)), item.get("explanation", "")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def hello(attempt, answers) -> str:
    """`practice.hello`: the paper, and every stored answer with its feedback (a reload shows it again)."""
    by_id = {item["id"]: item for item in attempt.paper}
    states = {}
    for a in answers:
        item = by_id.get(a.question_pk)
        if item is None:
            continue
        shown, explanation = key_of(item)
        states[str(a.question_pk)] = PracticeAnswerState(
            answer=a.answer,
            client_id=str(a.client_id),
            correct=a.correct,
            correct_answer=shown,
            explanation=explanation,
        )
    return dumps(
        PracticeHello(
            type="practice.hello",
            attempt=attempt.pk,
            track=attempt.track_id,
            title=str(attempt.track),
            server_time=timezone.now().isoformat(),
            started_at=attempt.started_at.isoformat(),
            finished_at=_iso(attempt.finished_at),
            paper=practice_paper(attempt),
            answers=states,
        )
    )


def feedback(outcome) -> str:
    """`practice.feedback` for a stored (or already stored) answer (contests.services.practice.PracticeResult)."""
    return dumps(
        PracticeFeedback(
            type="practice.feedback",
            client_id=outcome.client_id,
            question_id=outcome.question_id,
            revision=1,
            saved_at=outcome.saved_at.isoformat(),
            duplicate=outcome.duplicate,
            correct=outcome.correct,
            correct_answer=outcome.correct_answer,
            explanation=outcome.explanation,
            answered=outcome.answered,
            right=outcome.right,
        )
    )


def finished(attempt) -> str:
    return dumps(
        PracticeFinished(
            type="practice.finished",
            attempt=attempt.pk,
            finished_at=attempt.finished_at.isoformat(),
            answered=attempt.answered,
            right=attempt.correct,
            total=attempt.total,
        )
    )
