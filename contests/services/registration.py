"""Registration: a learner (or a team's leader) registers for a track; organisers approve or reject.

A team is made with consent: the leader invites user names, and each invited person joins the team
(a TeamMember) only by accepting, while the registration is pending. Submitting says nothing about
which names have accounts or are taken elsewhere; an invitation to a name without an account is
simply never delivered. Organisers approve a team once nobody's answer is outstanding.

A pending or approved registration holds its people on the track; a rejected or withdrawn one holds
nobody, so they may register again. An approved registration joins every round of its track that is
already open (entry and board row).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.selectors import organisation_for_text

from .. import eligibility, enterprise, notices
from ..models import (
    ACTIVE_STATUSES,
    InvitationStatus,
    Nomination,
    NominationStatus,
    Province,
    Registration,
    RegistrationStatus,
    Round,
    RoundStatus,
    TeamInvitation,
    TeamMember,
    Track,
    TrackJudge,
    TrackKind,
)
from .board import entries_sync
from .common import audit, require_organiser

USERNAME_MAX = 150


def _lock_people(user_ids) -> None:
    """Lock the people's rows, in id order, so two registrations of one person cannot both pass."""
    people = get_user_model().objects.select_for_update().filter(pk__in=set(user_ids)).order_by("pk")
    list(people.values_list("pk", flat=True))


def _taken(track: Track, user_ids, *, exclude: int | None = None) -> bool:
    """Whether any of the people is in a pending or approved registration of the track."""
    active = Registration.objects.filter(track=track, status__in=ACTIVE_STATUSES).exclude(pk=exclude)
    return active.filter(Q(user__in=user_ids) | Q(team_members__user__in=user_ids)).exists()


def registration_refusal(track: Track, user) -> str:
    """Why `user` may not register for `track` whatever they fill in, or "": an enterprise 技术比武 is
    for its host's workers only, and a judge of the track cannot take part in it (回避). The register
    page says it before the form, and `registration_submit` refuses with the same words."""
    try:
        enterprise.require_host_workers(track, [user.pk])
    except ValidationError as exc:
        return exc.messages[0]
    if _judging(track, user):
        return _("您是该赛项的评委，不能报名参赛")
    return ""


def _judging(track: Track, user) -> bool:
    """A judge of the track cannot take part in it (回避)."""
    return TrackJudge.objects.filter(track=track, judge=user).exists()


def _invitee_names(names, leader) -> list[str]:
    seen, result = {leader.get_username().casefold()}, []
    for name in names:
        name = (name or "").strip()[:USERNAME_MAX]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


@transaction.atomic
def registration_submit(
    *,
    user,
    track: Track,
    organisation: str,
    province: str,
    team_name: str = "",
    invitees: list | tuple = (),
    occupation: str = "",
) -> Registration:
    """A learner registers for a track, alone or as the leader of a team who invites user names.
    The track's entry rules (参赛条件) must hold for them."""
    organisation, team_name, occupation = organisation.strip(), team_name.strip(), occupation.strip()[:40]
    if province not in Province.values:
        raise ValidationError({"province": _("请选择省份")})
    if not organisation:
        raise ValidationError({"organisation": _("请填写工作单位")})
    names = _invitee_names(invitees, user)
    if track.kind == TrackKind.TEAM:
        if not team_name:
            raise ValidationError({"team_name": _("团体赛需要填写队伍名称")})
        if 1 + len(names) > track.team_size_max:
            raise ValidationError({"members": _("队伍人数超过上限")})
    elif team_name or names:
        raise ValidationError({"team_name": _("个人赛不能组队报名")})
    _lock_people([user.pk])
    refusal = registration_refusal(track, user)
    if refusal:
        raise ValidationError(refusal)
    if _taken(track, [user.pk]):
        raise ValidationError(_("您已报名该赛项"))
    problems = eligibility.submit_problems(track, user, occupation)
    if problems:
        raise ValidationError(problems)
    registration = Registration.objects.create(
        track=track,
        user=user,
        team_name=team_name,
        organisation=organisation,
        # The registry's record when the typed unit names one unambiguously (recusal and statistics
        # key on it); the text stays as the contestant typed it.
        organisation_record=organisation_for_text(organisation),
        province=province,
        occupation=occupation,
    )
    if track.kind == TrackKind.TEAM:
        TeamMember.objects.create(registration=registration, user=user, is_leader=True)
        accounts = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
        TeamInvitation.objects.bulk_create(
            [TeamInvitation(registration=registration, username=n, user=accounts.get(n)) for n in names]
        )
    return registration


def _invitation_locked(invitation: TeamInvitation, user) -> TeamInvitation:
    """The invitation and its registration, locked; only the invited person may answer it."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track")
    registration = registration.get(pk=invitation.registration_id)
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.registration = registration
    if invitation.user_id is None or invitation.user_id != user.pk:
        raise PermissionDenied(_("这不是发给您的邀请"))
    if registration.status != RegistrationStatus.PENDING:
        raise ValidationError(_("该报名已撤回或已审核，邀请已失效"))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: TeamInvitation, user, now: dt.datetime | None = None) -> TeamInvitation:
    """The invited person joins the team (while its registration is pending)."""
    invitation = _invitation_locked(invitation, user)  # lock order: the registration, then people
    _lock_people([user.pk])
    if invitation.status == InvitationStatus.ACCEPTED:
        return invitation
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("您已谢绝该邀请"))
    registration = invitation.registration
    enterprise.require_host_workers(registration.track, [user.pk])
    if _judging(registration.track, user):
        raise ValidationError(_("您是该赛项的评委，不能加入参赛队伍"))
    if _taken(registration.track, [user.pk], exclude=registration.pk):
        raise ValidationError(_("您已报名该赛项，不能再加入其他队伍"))
    if registration.team_members.count() >= registration.track.team_size_max:
        raise ValidationError(_("队伍人数已满"))
    TeamMember.objects.create(registration=registration, user=user)
    invitation.status, invitation.answered_at = InvitationStatus.ACCEPTED, now or timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


@transaction.atomic
def invitation_decline(*, invitation: TeamInvitation, user, now: dt.datetime | None = None) -> TeamInvitation:
    """The invited person says no, or leaves a team they joined, while its registration is pending."""
    invitation = _invitation_locked(invitation, user)
    if invitation.status == InvitationStatus.DECLINED:
        return invitation
    TeamMember.objects.filter(registration=invitation.registration, user=user, is_leader=False).delete()
    invitation.status, invitation.answered_at = InvitationStatus.DECLINED, now or timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


@transaction.atomic
def registration_withdraw(*, registration: Registration, user, now: dt.datetime | None = None) -> Registration:
    """The contestant (or the team's leader) withdraws a registration not yet decided; it then blocks
    nobody, and its open invitations lapse."""
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if registration.user_id != user.pk:
        raise PermissionDenied(_("只有报名人（队长）可以撤回报名"))
    if registration.status != RegistrationStatus.PENDING:
        raise ValidationError(_("报名已审核，如需退出请联系组委会"))
    registration.status, registration.decided_by, registration.decided_at = (
        RegistrationStatus.WITHDRAWN,
        user,
        now or timezone.now(),
    )
    registration.save(update_fields=["status", "decided_by", "decided_at"])
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, by, now: dt.datetime | None = None) -> Registration:
    """Approve a registration whose team has answered every invitation; it joins every round of its
    track that is already open."""
    require_organiser(by, registration)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track").get(pk=registration.pk)
    if registration.status == RegistrationStatus.APPROVED:
        return registration
    if registration.status == RegistrationStatus.WITHDRAWN:
        raise ValidationError(_("报名已由本人撤回，不能审核通过"))
    waiting = list(registration.invitations.filter(status=InvitationStatus.PENDING).values_list("username", flat=True))
    if waiting:
        raise ValidationError(_("还有队员未确认邀请：%(names)s") % {"names": "、".join(waiting)})
    people = [registration.user_id, *registration.team_members.values_list("user_id", flat=True)]
    _lock_people(people)
    enterprise.require_host_workers(registration.track, people)  # still on the host's roster
    if _taken(registration.track, people, exclude=registration.pk):
        raise ValidationError(_("该选手或其队员已有其他待审核或已通过的报名"))
    problems = eligibility.registration_problems(registration)
    if problems:
        raise ValidationError(problems)
    registration.status, registration.decided_by, registration.decided_at = RegistrationStatus.APPROVED, by, now
    registration.note = ""
    registration.save(update_fields=["status", "decided_by", "decided_at", "note"])
    nominations_follow(registration_ids=[registration.pk], approved=True, by=by, reason="", now=now)
    audit(actor=by, action="registration.approve", obj=registration, now=now, contest_id=registration.track.contest_id)
    notices.registration_decided(registration)
    for rnd in Round.objects.filter(
        track=registration.track, status__in=[RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED]
    ):
        entries_sync(rnd, now)
    return registration


@transaction.atomic
def registration_reject(
    *, registration: Registration, by, note: str = "", now: dt.datetime | None = None
) -> Registration:
    """Reject (or withdraw approval of) a registration that has not competed yet; its people may
    register again."""
    require_organiser(by, registration)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track").get(pk=registration.pk)
    if registration.status == RegistrationStatus.WITHDRAWN:
        raise ValidationError(_("报名已由本人撤回"))
    started = registration.entries.exclude(round__status__in=[RoundStatus.DRAFT, RoundStatus.LOBBY])
    if started.exists():
        raise ValidationError(_("该选手已参加比赛，不能撤销资格"))
    registration.entries.all().delete()
    registration.status, registration.decided_by, registration.decided_at = RegistrationStatus.REJECTED, by, now
    registration.note = note.strip()[:200]
    registration.save(update_fields=["status", "decided_by", "decided_at", "note"])
    nominations_follow(registration_ids=[registration.pk], approved=False, by=by, reason=registration.note, now=now)
    audit(
        actor=by,
        action="registration.reject",
        obj=registration,
        now=now,
        contest_id=registration.track.contest_id,
        note=registration.note,
    )
    notices.registration_decided(registration)
    return registration


def nominations_follow(*, registration_ids: list[int], approved: bool, by, reason: str, now: dt.datetime) -> list[int]:
    """A nominee's registration decided on the registration pages (one by one or in bulk) decides their
    nomination too: accepted with an approval, returned (with the reason) with a rejection, so the
    nomination lists and the nominee's page never keep saying 待审核. Returns the nominations' ids."""
    nominations = Nomination.objects.filter(registration_id__in=registration_ids, status=NominationStatus.REGISTERED)
    ids = list(nominations.values_list("pk", flat=True))
    if ids:
        status = NominationStatus.ACCEPTED if approved else NominationStatus.RETURNED
        fields = {"status": status, "decided_by": by, "decided_at": now}
        Nomination.objects.filter(pk__in=ids).update(**fields, **({} if approved else {"reason": reason}))
    return ids
