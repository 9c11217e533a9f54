"""Judging: who judges a track, and the judges' scores for the practical tasks.

A score counts once confirmed; a confirmation re-aggregates one criterion for one entry
(`scoring.criterion_aggregate`) and moves the entry's board row by the difference. Scores are
refused once the round is published (it is no longer in the judging statuses).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experts import recusal

from .. import enterprise, scoring
from ..models import (
    Criterion,
    CriterionKind,
    CriterionResult,
    Entry,
    JudgeScore,
    Round,
    RoundStatus,
    ScoreboardRow,
    Task,
    Track,
    TrackJudge,
)
from ..permissions import can_judge_track
from .board import row_update
from .common import audit, require_organiser

REMARK_STATUSES = (RoundStatus.PUBLISHED,)  # the 公示 window: scores change only through a review

# ------------------------------------------------------------------ who judges


@transaction.atomic
def judge_assign(*, track: Track, judge, by, now: dt.datetime | None = None) -> TrackJudge:
    """Make `judge` a judge of the track: they score its tasks and see its boards live."""
    require_organiser(by, track)
    if not TrackJudge.objects.filter(track=track, judge=judge).exists():
        enterprise.require_judge_candidate(track, judge)  # a 技术比武: the host's staff or the pool
        recusal.assignment_check(track=track, judge=judge)  # 回避: the judge's organisation, province, conflicts
    now = now or timezone.now()
    assignment, created = TrackJudge.objects.get_or_create(track=track, judge=judge, defaults={"assigned_by": by})
    if created:
        audit(actor=by, action="judge.assign", obj=assignment, now=now, contest_id=track.contest_id, judge=judge.pk)
    judge._judged_track_ids = None
    return assignment


@transaction.atomic
def judge_unassign(*, track: Track, judge, by, now: dt.datetime | None = None) -> None:
    """Take the track away from `judge`; their scores stay."""
    require_organiser(by, track)
    now = now or timezone.now()
    for assignment in TrackJudge.objects.filter(track=track, judge=judge):
        audit(actor=by, action="judge.unassign", obj=assignment, now=now, contest_id=track.contest_id, judge=judge.pk)
        assignment.delete()
    judge._judged_track_ids = None


# ------------------------------------------------------------------ scores


def _judging_context(*, judge, entry: Entry, criterion: Criterion) -> tuple[Criterion, Round]:
    criterion = Criterion.objects.select_related("task__round__track").get(pk=criterion.pk)
    rnd = criterion.task.round
    if not can_judge_track(judge, rnd.track_id):
        raise PermissionDenied(_("您不是该赛项的评委，不能评分"))
    if entry.round_id != rnd.pk:
        raise ValidationError(_("该选手不在此评分项所属的场次"))
    if rnd.status not in (RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED):
        raise ValidationError(_("当前场次不在评分阶段"))
    return criterion, rnd


def _criterion_refresh(*, criterion: Criterion, entry: Entry, rnd: Round, row: ScoreboardRow, now: dt.datetime) -> None:
    """Re-aggregate one criterion for one entry and move the board row by the difference."""
    values = list(
        JudgeScore.objects.filter(criterion=criterion, entry=entry, confirmed=True)
        .order_by("confirmed_at", "id")
        .values_list("value", flat=True)
    )
    agg = scoring.criterion_aggregate(
        kind=criterion.kind,
        aggregation=criterion.aggregation,
        values=values,
        spread_threshold=criterion.spread_threshold,
    )
    _result_set(
        criterion=criterion,
        entry=entry,
        rnd=rnd,
        row=row,
        now=now,
        value=agg.value,
        judge_count=agg.judge_count,
        spread=agg.spread,
        flagged=agg.flagged,
    )


def _result_set(*, criterion: Criterion, entry: Entry, rnd: Round, row: ScoreboardRow, now: dt.datetime, **values):
    """Store a criterion's result for an entry and move the board row (locked) by the difference."""
    result, _created = CriterionResult.objects.get_or_create(criterion=criterion, entry=entry)
    delta = values["value"] - result.value
    for name, value in values.items():
        setattr(result, name, value)
    result.save()
    if delta:
        tasks = dict(row.tasks)
        key = str(criterion.task_id)
        tasks[key] = str(Decimal(tasks.get(key, "0")) + delta)
        task_max = dict(Task.objects.filter(round=rnd).values_list("pk", "max_score"))
        row_update(row, rnd, now=now, tasks=tasks, task_max=task_max)


def _score_value(value, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("请输入分数")}) from None
    if not value.is_finite() or value < 0 or value > criterion.max_score or value != value.quantize(Decimal("0.1")):
        raise ValidationError({"value": _("分数必须在0到%(max)s之间，最多一位小数") % {"max": criterion.max_score}})
    return value


@recusal.scoring_guard  # 回避: refused (and audited) before the transaction
@transaction.atomic
def judge_score_submit(
    *,
    judge,
    entry: Entry,
    criterion: Criterion,
    value,
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> JudgeScore:
    """Enter (or change) a judge's score. It reaches the board when confirmed; a change un-confirms it."""
    now = now or timezone.now()
    criterion, rnd = _judging_context(judge=judge, entry=entry, criterion=criterion)
    value = _score_value(value, criterion)
    row = ScoreboardRow.objects.select_for_update().get(entry_id=entry.pk)
    if (
        criterion.kind == CriterionKind.MEASUREMENT
        and JudgeScore.objects.filter(criterion=criterion, entry=entry).exclude(judge=judge).exists()
    ):
        raise ValidationError(_("该测量项已由其他评委录入"))
    score = JudgeScore.objects.filter(criterion=criterion, entry=entry, judge=judge).first()
    previous = None if score is None else (str(score.value), score.confirmed)
    was_confirmed = score is not None and score.confirmed
    if score is None:
        score = JudgeScore(criterion=criterion, entry=entry, judge=judge)
    score.value, score.confirmed, score.confirmed_at = value, confirm, now if confirm else None
    score.save()
    audit(
        actor=judge,
        action="score.submit",
        obj=score,
        now=now,
        rnd=rnd,
        entry=entry.pk,
        criterion=criterion.pk,
        value=str(value),
        confirmed=confirm,
        previous=previous,
    )
    if was_confirmed or confirm:
        _criterion_refresh(criterion=criterion, entry=entry, rnd=rnd, row=row, now=now)
    return score


@recusal.scoring_guard
@transaction.atomic
def judge_score_confirm(*, judge, entry: Entry, criterion: Criterion, now: dt.datetime | None = None) -> JudgeScore:
    """Confirm the judge's own entered score: it now counts, and the board moves."""
    now = now or timezone.now()
    criterion, rnd = _judging_context(judge=judge, entry=entry, criterion=criterion)
    row = ScoreboardRow.objects.select_for_update().get(entry_id=entry.pk)
    score = JudgeScore.objects.filter(criterion=criterion, entry=entry, judge=judge).first()
    if score is None:
        raise ValidationError(_("请先录入分数"))
    if score.confirmed:
        return score
    score.confirmed, score.confirmed_at = True, now
    score.save(update_fields=["confirmed", "confirmed_at", "updated_at"])
    audit(
        actor=judge,
        action="score.confirm",
        obj=score,
        now=now,
        rnd=rnd,
        entry=entry.pk,
        criterion=criterion.pk,
        value=str(score.value),
    )
    _criterion_refresh(criterion=criterion, entry=entry, rnd=rnd, row=row, now=now)
    return score


def criterion_remark(*, by, entry: Entry, criterion: Criterion, value, row: ScoreboardRow, now: dt.datetime) -> Decimal:
    """The chief judge's re-marked value of one criterion for one entry (成绩复核), in a review's
    transaction (contests.services.review, which checks who and when and holds the locks).

    The criterion's result becomes `value` as a confirmation would set it: the task score, the
    practical score, the total, the board row and its feed event follow. The judges' own scores stay
    as they were. Returns the value it replaced.
    """
    criterion = Criterion.objects.select_related("task__round__track").get(pk=criterion.pk)
    rnd = criterion.task.round
    if entry.round_id != rnd.pk:
        raise ValidationError(_("该选手不在此评分项所属的场次"))
    if rnd.status not in REMARK_STATUSES:
        raise ValidationError(_("只有在成绩公示期内才能复核改分"))
    value = _score_value(value, criterion)
    result = CriterionResult.objects.filter(criterion=criterion, entry=entry).first()
    previous = result.value if result else Decimal(0)
    if value == previous:
        return previous
    _result_set(
        criterion=criterion,
        entry=entry,
        rnd=rnd,
        row=row,
        now=now,
        value=value.quantize(scoring.TWO_PLACES),
    )
    audit(
        actor=by,
        action="score.remark",
        obj=entry,
        now=now,
        rnd=rnd,
        entry=entry.pk,
        criterion=criterion.pk,
        value=str(value),
        previous=str(previous),
    )
    return previous
