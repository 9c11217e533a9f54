"""Judges of a track taken from the pool, and its chief judge (裁判长). Assignment goes through
`contests.services.judge_assign`, which refuses a judge who must recuse (experts/recusal.py)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contests import services as contest_services
from contests.models import Track, TrackJudge
from contests.services.common import audit, require_organiser

from ..models import Expert


@transaction.atomic
def pool_assign(*, track: Track, expert: Expert, by, now: dt.datetime | None = None) -> TrackJudge:
    """Make an expert of the pool a judge of the track (through their linked account)."""
    require_organiser(by, track)
    expert = Expert.objects.select_related("user").get(pk=expert.pk)
    if not expert.is_active:
        raise ValidationError(_("%(name)s已不在专家库中，不能指派") % {"name": expert.name})
    if expert.user is None:
        raise ValidationError(_("%(name)s尚未关联平台账号，不能担任评委") % {"name": expert.name})
    return contest_services.judge_assign(track=track, judge=expert.user, by=by, now=now)


@transaction.atomic
def pool_unassign(*, track: Track, judge, by, now: dt.datetime | None = None) -> None:
    contest_services.judge_unassign(track=track, judge=judge, by=by, now=now)


@transaction.atomic
def chief_judge_set(*, track: Track, judge, by, now: dt.datetime | None = None) -> TrackJudge:
    """Make one of the track's judges its chief judge; the previous chief becomes a judge again."""
    require_organiser(by, track)
    now = now or timezone.now()
    assignments = TrackJudge.objects.select_for_update().filter(track=track)
    chosen = next((a for a in assignments if a.judge_id == judge.pk), None)
    if chosen is None:
        raise ValidationError(_("裁判长须从本赛项的评委中指定"))
    if chosen.is_chief:
        return chosen
    previous = [a.judge_id for a in assignments if a.is_chief]
    TrackJudge.objects.filter(track=track, is_chief=True).update(is_chief=False)
    chosen.is_chief = True
    chosen.save(update_fields=["is_chief"])
    audit(
        actor=by,
        action="judge.chief",
        obj=chosen,
        now=now,
        contest_id=track.contest_id,
        judge=judge.pk,
        previous=previous[0] if previous else None,
    )
    return chosen


@transaction.atomic
def chief_judge_clear(*, track: Track, by, now: dt.datetime | None = None) -> None:
    require_organiser(by, track)
    now = now or timezone.now()
    for assignment in TrackJudge.objects.select_for_update().filter(track=track, is_chief=True):
        assignment.is_chief = False
        assignment.save(update_fields=["is_chief"])
        audit(actor=by, action="judge.chief_clear", obj=assignment, now=now, contest_id=track.contest_id)
