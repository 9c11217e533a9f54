"""The 公示 and 成绩复核: confirming the award preview, filing and answering review requests, and
the chief judge's 确认最终成绩 that makes a round's results final.

Scores are locked once results are published, except through `review_change`: the track's chief
judge (裁判长; an organiser when the track has none) re-marks a task's criteria (through
`judging.criterion_remark`) or re-grades theory questions, and the board row, its feed event, the
ranks and the award bands follow. Results turn FINAL (`round_finalise_if_due`) when the chief judge
has confirmed, the window is over and no request is pending — at the confirmation itself, or later by
`manage.py finalise_results` / a results page opened after the window.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notices, results
from ..models import (
    AwardPreview,
    Criterion,
    Entry,
    FinalConfirmation,
    ReviewPart,
    ReviewRequest,
    ReviewStatus,
    Round,
    RoundQuestion,
    RoundStatus,
    ScoreboardRow,
    Task,
    TheoryAnswer,
)
from ..permissions import can_manage_track
from .board import row_update
from .common import audit, lock_round, require_organiser
from .judging import criterion_remark
from .rounds import require_status, round_changed

REASON_MAX = 1000
ANSWER_MAX = 2000


def can_answer_reviews(user, track_id: int) -> bool:
    """The track's chief judge answers reviews and confirms final scores; organisers only when the
    track has no chief judge."""
    if not user or not user.is_authenticated:
        return False
    chief = results.chief_judge_id(track_id)
    if chief is not None:
        return chief == user.pk
    return can_manage_track(user, track_id)


def require_chief(user, track_id: int) -> None:
    if not can_answer_reviews(user, track_id):
        raise PermissionDenied(_("只有本赛项的裁判长（未设裁判长时为组织者）可以执行此操作"))


# ------------------------------------------------------------------ the award preview


@transaction.atomic
def round_awards_confirm(*, round: Round, by, digest: str, now: dt.datetime | None = None) -> AwardPreview:
    """The organiser confirms the award bands they were shown (`digest` of that preview); publishing
    is refused until the bands as they stand now are confirmed."""
    require_organiser(by, round)
    now = now or timezone.now()
    rnd = lock_round(round)
    require_status(rnd, RoundStatus.ENDED)
    current = results.awards_digest(rnd)
    if digest != current:
        raise ValidationError(_("成绩或奖项设置在您查看预览后有变化，请查看新的奖项预览后再确认"))
    preview, _created = AwardPreview.objects.update_or_create(
        round=rnd, defaults={"digest": current, "confirmed_by": by, "confirmed_at": now}
    )
    audit(actor=by, action="round.awards_confirm", obj=rnd, now=now, rnd=rnd, digest=current)
    return preview


# ------------------------------------------------------------------ filing


def review_file(
    *, entry: Entry, user, part: str, task: Task | None = None, reason: str, now: dt.datetime | None = None
) -> ReviewRequest:
    """A contestant (a team's leader) asks for one part or task to be reviewed, once, during the
    公示 window. A refusal for the state (window closed, filed before) is audited."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if entry.registration.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("只有参赛选手本人（团体赛为队长）可以申请成绩复核"))
    if not reason:
        raise ValidationError({"reason": _("请填写申请理由")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("申请理由不能超过1000字")})
    try:
        return _file(entry=entry, user=user, part=part, task=task, reason=reason, now=now)
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code in ("window", "twice"):
            _refusal_audit(entry=entry, user=user, part=part, task=task, code=code, now=now)
        raise


@transaction.atomic
def _file(*, entry: Entry, user, part: str, task: Task | None, reason: str, now: dt.datetime) -> ReviewRequest:
    rnd = lock_round(entry.round)
    if not results.review_window_open(rnd, now):
        if rnd.status == RoundStatus.PUBLISHED:
            raise ValidationError(_("成绩公示期已结束，不能再申请复核"), code="window")
        raise ValidationError(_("当前不在成绩公示期，不能申请复核"), code="window")
    if part == ReviewPart.THEORY:
        if not rnd.has_theory or task is not None:
            raise ValidationError(_("本场次没有理论考试"))
    elif part == ReviewPart.TASK:
        if task is None or task.round_id != rnd.pk:
            raise ValidationError(_("请选择本场次的实操任务"))
    else:
        raise ValidationError(_("请选择复核内容"))
    same = ReviewRequest.objects.filter(entry=entry, part=part, task=task)
    if same.exists():
        raise ValidationError(_("您已对该项申请过复核，每项只能申请一次"), code="twice")
    try:
        with transaction.atomic():
            review = ReviewRequest.objects.create(
                entry=entry, part=part, task=task, reason=reason, filed_by=user, filed_at=now
            )
    except IntegrityError:  # the same request at the same moment from another tab
        raise ValidationError(_("您已对该项申请过复核，每项只能申请一次"), code="twice") from None
    FinalConfirmation.objects.filter(round=rnd).delete()  # the new request must be answered and confirmed
    audit(
        actor=user, action="review.file", obj=review, now=now, rnd=rnd, entry=entry.pk, part=part, task=review.task_id
    )
    notices.review_filed(review)
    return review


@transaction.atomic
def _refusal_audit(*, entry: Entry, user, part: str, task: Task | None, code: str, now: dt.datetime) -> None:
    rnd = Round.objects.select_related("track").get(pk=entry.round_id)
    audit(
        actor=user,
        action="review.refused",
        obj=entry,
        now=now,
        rnd=rnd,
        part=str(part)[:10],
        task=task.pk if task else None,
        reason=code,
    )


# ------------------------------------------------------------------ answering


def _answer_context(review: ReviewRequest, by, answer: str) -> tuple[ReviewRequest, Round, str]:
    """Lock the round, re-read the request; only the chief judge, during 公示, a pending request."""
    rnd = lock_round(review.entry.round)
    require_chief(by, rnd.track_id)
    review = ReviewRequest.objects.select_related("entry__registration", "task").get(pk=review.pk)
    if review.entry.round_id != rnd.pk:
        raise ValidationError(_("复核申请不属于该场次"))
    if review.status != ReviewStatus.PENDING:
        raise ValidationError(_("该复核申请已答复"))
    if rnd.status != RoundStatus.PUBLISHED:
        raise ValidationError(_("只有在成绩公示期内才能答复复核申请"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写复核答复")})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": _("复核答复不能超过2000字")})
    return review, rnd, answer


def _close(review: ReviewRequest, *, rnd: Round, by, status: str, answer: str, now: dt.datetime, **data) -> None:
    review.status, review.answer, review.answered_by, review.answered_at = status, answer, by, now
    review.save(update_fields=["status", "answer", "answered_by", "answered_at", "before", "after"])
    audit(actor=by, action=f"review.{status}", obj=review, now=now, rnd=rnd, entry=review.entry_id, **data)
    notices.review_answered(review)


@transaction.atomic
def review_uphold(*, review: ReviewRequest, by, answer: str, now: dt.datetime | None = None) -> ReviewRequest:
    """The chief judge keeps the score, with a written answer the contestant sees."""
    now = now or timezone.now()
    review, rnd, answer = _answer_context(review, by, answer)
    _close(review, rnd=rnd, by=by, status=ReviewStatus.UPHELD, answer=answer, now=now)
    return review


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("请输入分数")) from None
    if not number.is_finite():
        raise ValidationError(_("请输入分数"))
    return number


@transaction.atomic
def review_change(
    *, review: ReviewRequest, by, answer: str, values: dict, now: dt.datetime | None = None
) -> ReviewRequest:
    """The chief judge re-marks: `values` maps a criterion id of the reviewed task (or a question id
    of the theory paper) to its new score; only values that differ change anything. The board row,
    its feed event, ranks and award bands follow; `before`/`after` record what moved."""
    now = now or timezone.now()
    review, rnd, answer = _answer_context(review, by, answer)
    if not isinstance(values, dict) or len(values) > 500:
        raise ValidationError(_("请填写更正后的分数"))
    row = ScoreboardRow.objects.select_for_update().get(entry_id=review.entry_id)
    before_row = {"theory": str(row.theory_score), "practical": str(row.practical_score), "total": str(row.total)}
    if review.part == ReviewPart.TASK:
        key = str(review.task_id)
        score_before = row.tasks.get(key, "0")
        changed = _remark_task(review, by=by, row=row, values=values, now=now)
        score_after = row.tasks.get(key, "0")
    else:
        score_before = str(row.theory_score)
        changed = _regrade_theory(review, rnd=rnd, by=by, row=row, values=values, now=now)
        score_after = str(row.theory_score)
    if not changed:
        raise ValidationError(_("没有修改任何分数；如维持原成绩，请选择“维持原成绩”"))
    review.before = {**before_row, "score": score_before, "items": {k: old for k, (old, _new) in changed.items()}}
    review.after = {
        "theory": str(row.theory_score),
        "practical": str(row.practical_score),
        "total": str(row.total),
        "score": score_after,
        "items": {k: new for k, (_old, new) in changed.items()},
    }
    _close(review, rnd=rnd, by=by, status=ReviewStatus.CHANGED, answer=answer, now=now, changed=review.after["items"])
    return review


def _remark_task(review, *, by, row, values: dict, now) -> dict[str, tuple[str, str]]:
    criteria = {str(c.pk): c for c in Criterion.objects.filter(task_id=review.task_id)}
    unknown = [k for k in values if str(k) not in criteria]
    if unknown:
        raise ValidationError(_("评分项不属于该实操任务"))
    changed = {}
    for criterion_id, value in values.items():
        criterion = criteria[str(criterion_id)]
        if value in (None, ""):
            continue
        previous = criterion_remark(by=by, entry=review.entry, criterion=criterion, value=value, row=row, now=now)
        new = _decimal(value)
        if new != previous:
            changed[str(criterion.pk)] = (str(previous), str(new))
    return changed


def _regrade_theory(review, *, rnd, by, row, values: dict, now) -> dict[str, tuple[str, str]]:
    paper = {str(q): s for q, s in RoundQuestion.objects.filter(round=rnd).values_list("question_id", "score")}
    unknown = [k for k in values if str(k) not in paper]
    if unknown:
        raise ValidationError(_("试题不属于本场次的理论试卷"))
    answers = {str(a.question_id): a for a in TheoryAnswer.objects.filter(entry=review.entry)}
    changed, theory = {}, row.theory_score
    for question_id, value in values.items():
        if value in (None, ""):
            continue
        key = str(question_id)
        score = _decimal(value)
        if score < 0 or score > paper[key] or score != score.quantize(Decimal("0.1")):
            raise ValidationError(_("分数必须在0到%(max)s之间，最多一位小数") % {"max": paper[key]})
        answer = answers.get(key)
        previous = answer.score if answer else Decimal(0)
        if score == previous:
            continue
        if answer is None:
            raise ValidationError(_("该选手未作答此题，不能改分"))
        answer.score, answer.correct = score, score >= paper[key]
        answer.save(update_fields=["score", "correct"])
        theory += score - previous
        changed[key] = (str(previous), str(score))
        audit(
            actor=by,
            action="score.regrade",
            obj=review.entry,
            now=now,
            rnd=rnd,
            entry=review.entry_id,
            question=int(key),
            value=str(score),
            previous=str(previous),
        )
    if changed:
        row_update(row, rnd, now=now, theory=theory)
    return changed


# ------------------------------------------------------------------ final results


@transaction.atomic
def round_confirm_final(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """确认最终成绩: the chief judge (an organiser when the track has none) confirms the track's
    scores once every request is answered. The results become final now if the window is over,
    else when it closes (`round_finalise_if_due`)."""
    now = now or timezone.now()
    rnd = lock_round(round)
    require_chief(by, rnd.track_id)
    require_status(rnd, RoundStatus.PUBLISHED)
    if results.pending_reviews(rnd):
        raise ValidationError(_("还有未答复的复核申请，请先答复"))
    FinalConfirmation.objects.update_or_create(round=rnd, defaults={"confirmed_by": by, "confirmed_at": now})
    audit(actor=by, action="round.confirm_final", obj=rnd, now=now, rnd=rnd)
    _finalise(rnd, now)
    return rnd


def _finalise(rnd: Round, now: dt.datetime) -> bool:
    """PUBLISHED → FINAL when confirmed, the window is over and nothing is pending (round locked)."""
    if rnd.status != RoundStatus.PUBLISHED or results.review_window_open(rnd, now):
        return False
    confirmation = FinalConfirmation.objects.filter(round=rnd).first()
    if confirmation is None or results.pending_reviews(rnd):
        return False
    rnd.status = RoundStatus.FINAL
    rnd.save(update_fields=["status"])
    round_changed(rnd, by=None, action="round.final", now=now, confirmed_by=confirmation.confirmed_by_id)
    notices.results_final(rnd)
    return True


def round_finalise_if_due(*, round_id: int, now: dt.datetime | None = None) -> bool:
    """Make a published round's results final if they are due (the scheduled path); True if it did."""
    now = now or timezone.now()
    if round_id not in results.rounds_due_for_final(now, round_ids=[round_id]):
        return False
    with transaction.atomic():
        return _finalise(lock_round(Round(pk=round_id)), now)


def rounds_finalise_due(*, now: dt.datetime | None = None) -> list[int]:
    """Every published round whose results are due to become final (manage.py finalise_results)."""
    now = now or timezone.now()
    done = []
    for round_id in results.rounds_due_for_final(now):
        with transaction.atomic():
            if _finalise(lock_round(Round(pk=round_id)), now):
                done.append(round_id)
    return done
