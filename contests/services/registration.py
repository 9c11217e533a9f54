"""Registration: a learner (or a team's leader) registers for a track; organisers approve or reject.

An approved registration joins every round of its track that is already open (entry and board row).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Province, Registration, RegistrationStatus, Round, RoundStatus, TeamMember, Track, TrackKind
from .board import entries_sync
from .common import audit, require_organiser


@transaction.atomic
def registration_submit(
    *,
    user,
    track: Track,
    organisation: str,
    province: str,
    team_name: str = "",
    members: list | tuple = (),
) -> Registration:
    """A learner registers for a track, alone or as the leader of a team; organisers then decide."""
    organisation, team_name = organisation.strip(), team_name.strip()
    if province not in Province.values:
        raise ValidationError({"province": _("请选择省份")})
    if not organisation:
        raise ValidationError({"organisation": _("请填写工作单位")})
    people = [user, *[m for m in members if m.pk != user.pk]]
    if track.kind == TrackKind.TEAM:
        if not team_name:
            raise ValidationError({"team_name": _("团体赛需要填写队伍名称")})
        if len(people) > track.team_size_max:
            raise ValidationError({"members": _("队伍人数超过上限")})
    elif team_name or len(people) > 1:
        raise ValidationError({"team_name": _("个人赛不能组队报名")})
    taken = (
        Registration.objects.filter(track=track).filter(user__in=people).exists()
        or TeamMember.objects.filter(registration__track=track, user__in=people).exists()
    )
    if taken:
        raise ValidationError(_("您或您的队员已报名该赛项"))
    registration = Registration.objects.create(
        track=track, user=user, team_name=team_name, organisation=organisation, province=province
    )
    if track.kind == TrackKind.TEAM:
        TeamMember.objects.bulk_create(
            [TeamMember(registration=registration, user=p, is_leader=p.pk == user.pk) for p in people]
        )
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, by, now: dt.datetime | None = None) -> Registration:
    """Approve a registration; it joins every round of its track that is already open."""
    require_organiser(by)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track").get(pk=registration.pk)
    if registration.status == RegistrationStatus.APPROVED:
        return registration
    registration.status, registration.decided_by, registration.decided_at = RegistrationStatus.APPROVED, by, now
    registration.note = ""
    registration.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit(actor=by, action="registration.approve", obj=registration, now=now, contest_id=registration.track.contest_id)
    for rnd in Round.objects.filter(
        track=registration.track, status__in=[RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED]
    ):
        entries_sync(rnd, now)
    return registration


@transaction.atomic
def registration_reject(
    *, registration: Registration, by, note: str = "", now: dt.datetime | None = None
) -> Registration:
    """Reject (or withdraw approval of) a registration that has not competed yet."""
    require_organiser(by)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track").get(pk=registration.pk)
    started = registration.entries.exclude(round__status__in=[RoundStatus.DRAFT, RoundStatus.LOBBY])
    if started.exists():
        raise ValidationError(_("该选手已参加比赛，不能撤销资格"))
    registration.entries.all().delete()
    registration.status, registration.decided_by, registration.decided_at = RegistrationStatus.REJECTED, by, now
    registration.note = note.strip()[:200]
    registration.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit(
        actor=by,
        action="registration.reject",
        obj=registration,
        now=now,
        contest_id=registration.track.contest_id,
        note=registration.note,
    )
    return registration
