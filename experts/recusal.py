"""Recusal (回避): who may not judge whom. One rule set, read by assignment and by scoring.

An expert may not judge a registration (a contestant or a team)
- in which they take part themselves (registrant or team member);
- from their own organisation: the expert's organisation in the pool or their declared employer,
  against the registration's registry record, its typed unit (the same name), and the declared
  employer of each of its people (a team member from the expert's organisation counts);
- from their own province, when the contest asks for it (`Contest.recusal_by_province`, national
  finals): the registration's 省份 against the expert's;
- they declared a conflict with (`ExpertConflict`: the organisation, one of its people, or the
  registration itself).

`conflicts(judge, registration)` answers for one pair. Assignment refuses a judge with a conflict on
any pending or approved registration of the track (`assignment_check`); a registration approved
later still cannot be scored by that judge (`scoring_guard` wraps the scoring services: the refusal
is audited, and its message names no contestant, since judges score blind).
"""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.models import ACTIVE_STATUSES, AuditLog, Entry, Province, Registration, TeamMember, Track
from organisations.models import Employment
from organisations.names import name_key

from .models import Expert

ASSIGNMENT_REASONS_SHOWN = 3


@dataclass(frozen=True)
class Conflict:
    """One reason a judge may not judge a registration: `code` (self, organisation, province, declared)
    and `detail`, which names the contestant (for organisers only)."""

    code: str
    detail: str


@dataclass
class JudgeProfile:
    """What recusal needs to know about a judge, read once."""

    user_id: int | None
    expert: Expert | None = None
    organisation_ids: set[int] = field(default_factory=set)
    organisation_keys: dict[str, str] = field(default_factory=dict)  # name key → name
    province: str = ""
    conflict_orgs: dict[int, str] = field(default_factory=dict)  # organisation id → reason
    conflict_users: dict[int, str] = field(default_factory=dict)
    conflict_registrations: dict[int, str] = field(default_factory=dict)


@dataclass
class Parties:
    """Who and what a registration stands for: its people, their organisations, its province."""

    registration: Registration
    people: set[int]
    organisation_ids: set[int]
    organisation_keys: set[str]
    province: str


def judge_profile(user, *, expert: Expert | None = None) -> JudgeProfile:
    """The judge's organisations (pool record and declared employer), province and declared
    conflicts. `user` may be None for an expert without an account (the pool's candidates)."""
    user_id = getattr(user, "pk", None)
    profile = JudgeProfile(user_id=user_id)
    if expert is None and user_id is not None:
        expert = Expert.objects.select_related("organisation").filter(user_id=user_id).first()
    profile.expert = expert
    organisations = []
    employment = None
    if user_id is not None:
        employment = Employment.objects.select_related("organisation").filter(user_id=user_id).first()
    if employment is not None:
        organisations.append(employment.organisation)
    if expert is not None:
        if expert.organisation_id:
            organisations.append(expert.organisation)
        profile.province = expert.province_id or ""
        for conflict in expert.conflicts.all():
            if conflict.organisation_id:
                profile.conflict_orgs[conflict.organisation_id] = conflict.reason
            if conflict.user_id:
                profile.conflict_users[conflict.user_id] = conflict.reason
            if conflict.registration_id:
                profile.conflict_registrations[conflict.registration_id] = conflict.reason
    for organisation in organisations:
        profile.organisation_ids.add(organisation.pk)
        profile.organisation_keys[name_key(organisation.name)] = organisation.name
        profile.province = profile.province or (organisation.province_id or "")
    return profile


def _registrations(rows) -> list[Parties]:
    rows = list(rows)
    people = {r.pk: {r.user_id, *(m.user_id for m in r.team_members.all())} for r in rows}
    everyone = set().union(*people.values()) if people else set()
    employers: dict[int, tuple[int, str]] = {
        e.user_id: (e.organisation_id, e.organisation.name)
        for e in Employment.objects.select_related("organisation").filter(user_id__in=everyone)
    }
    out = []
    for r in rows:
        ids = {r.organisation_record_id} - {None}
        keys = {name_key(r.organisation)} - {""}
        for person in people[r.pk]:
            if person in employers:
                ids.add(employers[person][0])
                keys.add(name_key(employers[person][1]))
        out.append(
            Parties(
                registration=r, people=people[r.pk], organisation_ids=ids, organisation_keys=keys, province=r.province
            )
        )
    return out


def _with_people(rows):
    return rows.select_related("track__contest", "user").prefetch_related(
        Prefetch("team_members", queryset=TeamMember.objects.only("registration_id", "user_id"))
    )


def track_parties(track: Track) -> list[Parties]:
    """The pending and approved registrations of the track, read once for every candidate."""
    return _registrations(_with_people(Registration.objects.filter(track=track, status__in=ACTIVE_STATUSES)))


def judge_conflicts(profile: JudgeProfile, parties: Parties, *, by_province: bool) -> list[Conflict]:
    """Why this judge may not judge this registration (empty: they may)."""
    registration = parties.registration
    name = registration.display_name
    found = []
    if profile.user_id in parties.people:
        found.append(Conflict("self", _("本人参加该赛项（%(name)s）") % {"name": name}))
    shared = profile.organisation_ids & parties.organisation_ids
    shared_names = [profile.organisation_keys[k] for k in profile.organisation_keys if k in parties.organisation_keys]
    if shared or shared_names:
        organisation = shared_names[0] if shared_names else registration.organisation
        found.append(
            Conflict("organisation", _("与选手%(name)s同一单位（%(org)s）") % {"name": name, "org": organisation})
        )
    if by_province and profile.province and profile.province == parties.province:
        found.append(
            Conflict(
                "province",
                _("与选手%(name)s同一省份（%(province)s）")
                % {"name": name, "province": Province(parties.province).label},
            )
        )
    reasons = [profile.conflict_registrations.get(registration.pk)]
    reasons += [profile.conflict_users.get(p) for p in parties.people]
    reasons += [profile.conflict_orgs.get(o) for o in parties.organisation_ids]
    reasons = [r for r in reasons if r]
    if reasons:
        found.append(
            Conflict("declared", _("已申报与选手%(name)s回避：%(reason)s") % {"name": name, "reason": reasons[0]})
        )
    return found


def conflicts(judge_user, registration: Registration) -> list[Conflict]:
    """Why `judge_user` may not judge `registration` (empty: they may)."""
    [parties] = _registrations(_with_people(Registration.objects.filter(pk=registration.pk)))
    contest = parties.registration.track.contest
    return judge_conflicts(judge_profile(judge_user), parties, by_province=contest.recusal_by_province)


def track_conflicts(judge_user, track: Track, *, parties: list[Parties] | None = None, profile=None) -> list[Conflict]:
    """Every conflict of the judge with a pending or approved registration of the track."""
    parties = track_parties(track) if parties is None else parties
    profile = profile or judge_profile(judge_user)
    by_province = track.contest.recusal_by_province
    return [c for p in parties for c in judge_conflicts(profile, p, by_province=by_province)]


def assignment_check(*, track: Track, judge) -> None:
    """Refuse to make `judge` a judge of the track while they conflict with one of its registrations."""
    found = track_conflicts(judge, track)
    if found:
        details = "；".join(c.detail for c in found[:ASSIGNMENT_REASONS_SHOWN])
        if len(found) > ASSIGNMENT_REASONS_SHOWN:
            details += _("等 %(n)s 项") % {"n": len(found)}
        raise ValidationError(
            _("%(judge)s须回避，不能担任该赛项评委：%(details)s") % {"judge": judge, "details": details}
        )


def _scoring_message(codes) -> str:
    if "self" in codes:
        return _("您是该选手或其队员，须回避，不能为其评分")
    return _("您与该选手存在回避关系（同单位、同省份或已申报回避），不能为其评分；请联系裁判长另行安排")


def scoring_check(*, judge, entry: Entry) -> None:
    """Refuse (and audit) a score by a judge who must recuse from the entry's registration. The
    audit line is written in its own transaction, before the refusal, so it stays."""
    entry = Entry.objects.select_related("registration", "round__track").get(pk=entry.pk)
    found = conflicts(judge, entry.registration)
    if not found:
        return
    codes = sorted({c.code for c in found})
    with transaction.atomic():
        AuditLog.objects.create(
            actor=judge,
            action="score.recused",
            object_type="entry",
            object_id=entry.pk,
            contest_id=entry.round.track.contest_id,
            round=entry.round,
            data={"registration": entry.registration_id, "conflicts": codes},
            created_at=timezone.now(),
        )
    raise PermissionDenied(_scoring_message(codes))


def scoring_guard(service):
    """Wrap a scoring service (called with `judge=` and `entry=`): a judge who must recuse is refused
    before the service opens its transaction."""

    @functools.wraps(service)
    def guarded(*args, **kwargs):
        judge, entry = kwargs.get("judge"), kwargs.get("entry")
        if judge is not None and entry is not None:
            scoring_check(judge=judge, entry=entry)
        return service(*args, **kwargs)

    return guarded
