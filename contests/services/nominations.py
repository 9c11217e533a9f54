"""Qualifiers and their nominations (选拔推荐).

An enterprise 技术比武's or an industry contest's track is declared the qualifier of a track of a
higher-level contest (`qualifier_declare`), with a quota per organiser (the qualifier contest's host
organisation, or its organiser when it has none) or per province. Its final results nominate the
top contestants within the quota (`nomination_plan`, then `nominations_confirm` with the ids the
organiser ticked); the quota counts every nomination into the target track from the same quota
group, by any qualifier, except returned ones. The nominee registers on the target track with the
details of their qualifier registration (`nomination_register`, source 推荐), and the target's
organiser accepts (approves the registration) or returns the nomination with a reason
(`nomination_accept`, `nomination_return`).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import eligibility, progression, progression_notices, selection
from ..models import (
    ContestLevel,
    Nomination,
    NominationStatus,
    Province,
    Qualifier,
    QuotaScope,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Round,
    RoundStatus,
    TieRule,
    Track,
    TrackJudge,
    TrackKind,
)
from .common import audit, require_organiser
from .registration import registration_approve, registration_reject

LEVEL_RANK = {ContestLevel.ENTERPRISE: 0, ContestLevel.INDUSTRY: 1, ContestLevel.NATIONAL: 2}
MAX_QUOTA = 1000
REASON_MAX = 200


@transaction.atomic
def qualifier_declare(
    *, source_track: Track, target_track_id, quota_scope: str, quota, by, now: dt.datetime | None = None
) -> Qualifier:
    """Declare (or change, while it has nominated nobody) the source track a qualifier of a track of a
    higher-level contest."""
    require_organiser(by, source_track)
    now = now or timezone.now()
    try:
        target = Track.objects.select_related("contest").get(pk=int(target_track_id))
    except (TypeError, ValueError, Track.DoesNotExist):
        raise ValidationError(_("请选择推荐至的赛项")) from None
    source = Track.objects.select_for_update().select_related("contest").get(pk=source_track.pk)
    if LEVEL_RANK[target.contest.level] <= LEVEL_RANK[source.contest.level]:
        raise ValidationError(_("只能推荐至级别更高的大赛的赛项（企业 → 行业 → 国家级）"))
    if source.kind != TrackKind.INDIVIDUAL or target.kind != TrackKind.INDIVIDUAL:
        raise ValidationError(_("选拔推荐只适用于个人赛"))
    if quota_scope not in QuotaScope.values:
        raise ValidationError(_("请选择名额计算方式"))
    try:
        quota = int(str(quota).strip())
    except (TypeError, ValueError):
        quota = 0
    if not 1 <= quota <= MAX_QUOTA:
        raise ValidationError(_("推荐名额请填写 1 至 %(max)s 之间的整数") % {"max": MAX_QUOTA})
    existing = Qualifier.objects.filter(source_track=source).first()
    if existing is not None and existing.nominations.exists():
        raise ValidationError(_("本赛项已经推荐过选手，不能再修改选拔设置"))
    qualifier, _created = Qualifier.objects.update_or_create(
        source_track=source,
        defaults={
            "target_track": target,
            "quota_scope": quota_scope,
            "quota": quota,
            "declared_by": by,
            "declared_at": now,
        },
    )
    audit(
        actor=by,
        action="qualifier.declare",
        obj=qualifier,
        now=now,
        contest_id=source.contest_id,
        target_track=target.pk,
        quota_scope=quota_scope,
        quota=quota,
    )
    return qualifier


def quota_group(qualifier: Qualifier, registration: Registration) -> str:
    """What a nomination's quota is counted in."""
    if qualifier.quota_scope == QuotaScope.PROVINCE:
        return f"province:{registration.province}"
    contest = qualifier.source_track.contest
    if contest.host_organisation_id:
        return f"org:{contest.host_organisation_id}"
    return f"user:{contest.organiser_id}"


def quota_used(target_track_id: int) -> dict[str, int]:
    """Quota group → nominations into the target track that count (all but returned ones)."""
    rows = (
        Nomination.objects.filter(target_track_id=target_track_id)
        .exclude(status=NominationStatus.RETURNED)
        .values("quota_group")
        .annotate(n=Count("pk"))
    )
    return {r["quota_group"]: r["n"] for r in rows}


@dataclass(frozen=True)
class NominationRow:
    registration_id: int
    name: str
    organisation: str
    province: str
    group: str
    place: int
    total: str
    nominated: bool  # already nominated into the target (by this or an earlier confirmation)


@dataclass(frozen=True)
class NominationPlan:
    qualifier: Qualifier
    round: Round
    rule: str
    used: dict[str, int]
    rows: list[NominationRow]  # the proposal: the top within each group's remaining quota

    @property
    def registration_ids(self) -> list[int]:
        return [r.registration_id for r in self.rows]


def _qualifier_of(rnd: Round) -> Qualifier:
    qualifier = Qualifier.objects.select_related("source_track__contest", "target_track__contest").filter(
        source_track_id=rnd.track_id
    )
    qualifier = qualifier.first()
    if qualifier is None:
        raise ValidationError(_("本赛项不是选拔赛项，不能推荐选手"))
    return qualifier


def nomination_plan(*, round: Round) -> NominationPlan:
    """The top contestants of the round's final results within what is left of each quota group."""
    rnd = round
    qualifier = _qualifier_of(rnd)
    if rnd.status != RoundStatus.FINAL:
        raise ValidationError(_("只有成绩已确认（最终成绩）的场次才能推荐选手"))
    candidates, info = progression.candidates(rnd)
    already = set(Nomination.objects.filter(target_track=qualifier.target_track).values_list("user_id", flat=True))
    used = quota_used(qualifier.target_track_id)
    grouped = [
        selection.Candidate(
            registration_id=c.registration_id,
            total=c.total,
            reached_at=c.reached_at,
            theory=c.theory,
            group=quota_group(qualifier, info[c.registration_id]),
        )
        for c in candidates
        if info[c.registration_id].user_id not in already
    ]
    limits = {c.group: max(qualifier.quota - used.get(c.group, 0), 0) for c in grouped}
    chosen = selection.select(
        grouped, n=qualifier.quota, tie_rule=TieRule.BROKEN, per_group=True, limits=limits, strict=True
    )
    rows = []
    for pick in chosen.picks:
        reg = info[pick.candidate.registration_id]
        rows.append(
            NominationRow(
                registration_id=reg.pk,
                name=reg.display_name,
                organisation=reg.organisation,
                province=str(Province(reg.province).label) if reg.province else "",
                group=pick.candidate.group,
                place=pick.place,
                total=str(pick.candidate.total),
                nominated=False,
            )
        )
    rule = _("%(scope)s %(n)s 名（含其他选拔赛项已推荐的人数，退回的不计）；%(tie)s") % {
        "scope": QuotaScope(qualifier.quota_scope).label,
        "n": qualifier.quota,
        "tie": progression.tie_rule_text(TieRule.BROKEN, strict=True),
    }
    return NominationPlan(qualifier=qualifier, round=rnd, rule=rule, used=used, rows=rows)


def _ids(values) -> list[int]:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError(_("推荐名单有误，请刷新页面后重试")) from None
    return list(dict.fromkeys(out))


@transaction.atomic
def nominations_confirm(*, round: Round, registration_ids, by, now: dt.datetime | None = None) -> list[Nomination]:
    """Nominate the ticked contestants. Every id must be on the proposal as it stands now (so within
    the quota, counting earlier nominations of the same quota group); otherwise nothing is written."""
    require_organiser(by, round)
    now = now or timezone.now()
    ids = _ids(registration_ids)
    if not ids:
        raise ValidationError(_("请至少选择一名选手"))
    # The target track's row serialises nominations into it, so two qualifiers cannot both use a place.
    qualifier = _qualifier_of(round)
    Track.objects.select_for_update().filter(pk=qualifier.target_track_id).values_list("pk", flat=True).get()
    plan = nomination_plan(round=Round.objects.select_related("track__contest").get(pk=round.pk))
    proposal = {r.registration_id: r for r in plan.rows}
    beyond = [i for i in ids if i not in proposal]
    if beyond:
        raise ValidationError(_("所选选手超出推荐名额或不在本场次的推荐名单中，未作任何推荐"))
    registrations = Registration.objects.in_bulk(ids)
    made = []
    for registration_id in ids:
        reg, row = registrations[registration_id], proposal[registration_id]
        made.append(
            Nomination.objects.create(
                qualifier=qualifier,
                source_round=plan.round,
                source_registration=reg,
                target_track=qualifier.target_track,
                user_id=reg.user_id,
                place=row.place,
                total=row.total,
                organisation=reg.organisation,
                province=reg.province,
                quota_group=row.group,
                nominated_by=by,
                nominated_at=now,
            )
        )
        audit(
            actor=by,
            action="nomination.create",
            obj=made[-1],
            now=now,
            contest_id=qualifier.source_track.contest_id,
            registration=reg.pk,
            target_track=qualifier.target_track_id,
        )
    for nomination in made:
        progression_notices.nominated(nomination)
    return made


def nomination_for_user(nomination_id, user) -> Nomination:
    """The user's own nomination, or PermissionDenied (the same for another's and for none)."""
    try:
        return Nomination.objects.select_related("target_track__contest", "source_registration").get(
            pk=int(nomination_id), user=user
        )
    except (TypeError, ValueError, Nomination.DoesNotExist):
        raise PermissionDenied(_("没有找到您的推荐")) from None


@transaction.atomic
def nomination_register(*, nomination: Nomination, user, now: dt.datetime | None = None) -> Registration:
    """The nominee registers on the target track with their qualifier registration's organisation
    and province; the registration's source is 推荐 and it waits for the target's organiser."""
    now = now or timezone.now()
    if nomination.user_id != user.pk:
        raise PermissionDenied(_("没有找到您的推荐"))
    nomination = Nomination.objects.select_for_update().select_related("source_registration").get(pk=nomination.pk)
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(_("该推荐已处理（%(status)s），不能再报名") % {"status": nomination.get_status_display()})
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    track = nomination.target_track
    if TrackJudge.objects.filter(track=track, judge=user).exists():
        raise ValidationError(_("您是该赛项的评委，不能报名参赛"))
    if Registration.objects.filter(
        track=track, user=user, status__in=[RegistrationStatus.PENDING, "approved"]
    ).exists():
        raise ValidationError(_("您已报名该赛项"))
    if track.registrations.filter(team_members__user=user, status__in=["pending", "approved"]).exists():
        raise ValidationError(_("您已报名该赛项"))
    source = nomination.source_registration
    # A nomination does not waive the target track's eligibility rules (age, skill level, occupation).
    problems = eligibility.submit_problems(track, user, source.occupation)
    if problems:
        raise ValidationError(problems)
    registration = Registration.objects.create(
        track=track,
        user=user,
        organisation=nomination.organisation,
        organisation_record_id=source.organisation_record_id,
        province=nomination.province,
        occupation=source.occupation,
        source=RegistrationSource.NOMINATED,
    )
    nomination.registration, nomination.status = registration, NominationStatus.REGISTERED
    nomination.save(update_fields=["registration", "status"])
    audit(actor=user, action="nomination.register", obj=nomination, now=now, contest_id=track.contest_id)
    return registration


def _locked(nomination: Nomination, track: Track) -> Nomination:
    try:
        return Nomination.objects.select_for_update().get(pk=nomination.pk, target_track=track)
    except Nomination.DoesNotExist:
        raise PermissionDenied(_("该推荐不属于本赛项")) from None


@transaction.atomic
def nomination_accept(*, nomination: Nomination, track: Track, by, now: dt.datetime | None = None) -> Nomination:
    """The target's organiser accepts a nomination the nominee registered for: the registration is approved."""
    require_organiser(by, track)
    now = now or timezone.now()
    nomination = _locked(nomination, track)
    if nomination.status != NominationStatus.REGISTERED or nomination.registration_id is None:
        raise ValidationError(_("只能接受选手已报名、待审核的推荐"))
    registration_approve(registration=nomination.registration, by=by, now=now)
    nomination.status, nomination.decided_by, nomination.decided_at = NominationStatus.ACCEPTED, by, now
    nomination.save(update_fields=["status", "decided_by", "decided_at"])
    audit(actor=by, action="nomination.accept", obj=nomination, now=now, contest_id=track.contest_id)
    return nomination


@transaction.atomic
def nomination_return(
    *, nomination: Nomination, track: Track, by, reason: str, now: dt.datetime | None = None
) -> Nomination:
    """Return a nomination with a reason the nominee sees; their registration (if any) is rejected with it."""
    require_organiser(by, track)
    now = now or timezone.now()
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise ValidationError(_("退回推荐请填写原因"))
    nomination = _locked(nomination, track)
    if nomination.status not in (NominationStatus.PENDING, NominationStatus.REGISTERED):
        raise ValidationError(_("该推荐已处理，不能退回"))
    registration = nomination.registration
    if registration is not None and registration.status in (RegistrationStatus.PENDING, RegistrationStatus.APPROVED):
        registration_reject(registration=registration, by=by, note=reason, now=now)  # tells the nominee
    else:
        progression_notices.nomination_returned(nomination, reason)
    nomination.status, nomination.reason = NominationStatus.RETURNED, reason
    nomination.decided_by, nomination.decided_at = by, now
    nomination.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit(actor=by, action="nomination.return", obj=nomination, now=now, contest_id=track.contest_id, reason=reason)
    return nomination
