"""Theory papers: the organiser's edits while a round is a draft, and the copy taken when its lobby opens.

From the lobby on a paper is fixed: no question is added, removed or moved, no score changes. A refused
edit is audited (`paper.refused`) in a transaction of its own, so the refusal stays on record even
though nothing else is written. The copy (`RoundQuestion.snapshot`, see contests.papers) is what
grading and contestants use from then on; the bank question can change without touching the round.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.kinds import GRADABLE_KINDS
from courses.models import Question

from ..models import Round, RoundQuestion, RoundStatus
from ..papers import question_copy
from .common import audit, lock_round, require_organiser

SCORE_MAX = Decimal(1000)


def paper_copy(rnd: Round) -> int:
    """Copy every question of the round's paper into the round (inside the lobby's transaction)."""
    lines = list(RoundQuestion.objects.filter(round=rnd).select_related("question"))
    for rq in lines:
        rq.snapshot = question_copy(rq.question)
    RoundQuestion.objects.bulk_update(lines, ["snapshot"], batch_size=200)
    return len(lines)


def _refuse(rnd: Round, *, by, attempt: str, now: dt.datetime, **details) -> ValidationError:
    """Audit a refused edit of a fixed paper (kept even if the caller rolls back) and say why."""
    with transaction.atomic():
        audit(actor=by, action="paper.refused", obj=rnd, now=now, rnd=rnd, attempt=attempt, **details)
    return ValidationError(paper_fixed_message(rnd))


def paper_fixed_message(rnd: Round) -> str:
    """Why a paper cannot be edited once its round's lobby is open."""
    return _("场次“%(round)s”已开放候场（%(status)s），试卷已定稿：不能再增删题目、调整题序或分值。") % {
        "round": rnd,
        "status": rnd.get_status_display(),
    }


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        score = Decimal(-1)
    if not score.is_finite() or not Decimal(0) <= score <= SCORE_MAX:
        raise ValidationError({"score": _("分值必须在0到1000之间")})
    return score.quantize(Decimal("0.1"))


def _order(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
        raise ValidationError({"order": _("题号必须是0到100000之间的整数")})
    return value


def _check_question(rnd: Round, question: Question, *, exclude: int | None = None) -> None:
    if question.kind not in GRADABLE_KINDS:
        raise ValidationError({"question": _("简答题不能自动评分，不能用于在线理论考试")})
    taken = RoundQuestion.objects.filter(round=rnd, question=question).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"question": _("该题已在本场试卷中")})


def paper_question_add(
    *, round: Round, question: Question, score, order: int, by, now: dt.datetime | None = None
) -> RoundQuestion:
    """Add a bank question to a draft round's paper."""
    require_organiser(by)
    now = now or timezone.now()
    with transaction.atomic():
        rnd = lock_round(round)
        if rnd.status == RoundStatus.DRAFT:
            _check_question(rnd, question)
            rq = RoundQuestion.objects.create(round=rnd, question=question, score=_score(score), order=_order(order))
            audit(actor=by, action="paper.add", obj=rq, now=now, rnd=rnd, question=question.pk, score=str(rq.score))
            return rq
    raise _refuse(rnd, by=by, attempt="add", now=now, question=question.pk)


def paper_question_change(
    *,
    round_question: RoundQuestion,
    by,
    score=None,
    order: int | None = None,
    question: Question | None = None,
    round: Round | None = None,
    now: dt.datetime | None = None,
) -> RoundQuestion:
    """Change a line of a draft paper: its score, its place, its question, or the (draft) round it is in."""
    require_organiser(by)
    now = now or timezone.now()
    with transaction.atomic():
        rq = RoundQuestion.objects.select_related("question").get(pk=round_question.pk)
        target_id = rq.round_id if round is None else round.pk
        locked = {pk: lock_round(Round(pk=pk)) for pk in sorted({rq.round_id, target_id})}  # in id order
        fixed = next((r for r in locked.values() if r.status != RoundStatus.DRAFT), None)
        if fixed is None:
            target = locked[target_id]
            before = {"round": rq.round_id, "question": rq.question_id, "order": rq.order, "score": str(rq.score)}
            if question is not None or target.pk != rq.round_id:
                _check_question(target, question or rq.question, exclude=rq.pk)
            rq.round = target
            rq.question = question or rq.question
            rq.score = rq.score if score is None else _score(score)
            rq.order = rq.order if order is None else _order(order)
            rq.save(update_fields=["round", "question", "order", "score"])
            after = {"round": rq.round_id, "question": rq.question_id, "order": rq.order, "score": str(rq.score)}
            audit(actor=by, action="paper.change", obj=rq, now=now, rnd=target, before=before, after=after)
            return rq
    raise _refuse(fixed, by=by, attempt="change", now=now, line=rq.pk, question=rq.question_id)


def paper_question_remove(*, round_question: RoundQuestion, by, now: dt.datetime | None = None) -> None:
    """Take a question off a draft round's paper (the bank question stays)."""
    require_organiser(by)
    now = now or timezone.now()
    with transaction.atomic():
        rnd = lock_round(Round(pk=round_question.round_id))
        if rnd.status == RoundStatus.DRAFT:
            rq = RoundQuestion.objects.get(pk=round_question.pk)
            audit(actor=by, action="paper.remove", obj=rq, now=now, rnd=rnd, question=rq.question_id)
            rq.delete()
            return
    raise _refuse(rnd, by=by, attempt="remove", now=now, line=round_question.pk, question=round_question.question_id)
