"""Registrations at scale: approving or rejecting thousands of a track's registrations at once, with
one reason the contestants read, and the track's entry rules (参赛条件) edited by organisers.

`registrations_decide` takes the rows the organiser ticked or every row matching the list's filters
and checks each again inside one transaction, under the same rules as a single decision
(`registration.registration_approve`): still pending, of this track, no invitation unanswered,
nobody held by another registration, the entry rules met. Rows that fail are skipped and counted by
reason; the others change together. The number of queries does not grow with the rows (bulk reads,
updates in chunks of CHUNK ids, one audit insert, one notification per decision), so thousands of
rows take a few seconds, not minutes.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import eligibility, enterprise, notices
from ..models import (
    ACTIVE_STATUSES,
    AuditLog,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    Round,
    RoundStatus,
    TeamInvitation,
    TeamMember,
    Track,
    TrackEligibility,
)
from .board import entries_sync
from .common import audit, require_organiser
from .registration import _lock_people, nominations_follow

MAX_ROWS = 10_000  # one decision; a bigger field is decided filter by filter
CHUNK = 500  # ids per IN (…): well under SQLite's variable limit
NOTE_MAX = 200
SHOWN_SKIPS = 50

APPROVE, REJECT = "approve", "reject"

# Why a row was skipped, by code (the outcome counts them).
SKIP_REASONS = {
    "other_track": gettext_lazy("不属于本赛项或不存在"),
    "not_pending": gettext_lazy("状态已不是待审核"),
    "invitations": gettext_lazy("还有队员未确认邀请"),
    "taken": gettext_lazy("该选手或其队员已有其他待审核或已通过的报名"),
    "ineligible": gettext_lazy("不符合参赛条件"),
    "not_worker": gettext_lazy("不是主办企业的在册职工"),
}


@dataclass
class Skipped:
    registration_id: int | None
    name: str
    reason: str
    details: list[str] = field(default_factory=list)


@dataclass
class BulkOutcome:
    decision: str
    done: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    def reasons(self) -> list[tuple[str, int]]:
        """(sentence, count) for each reason rows were skipped, the most frequent first."""
        counts = Counter(s.reason for s in self.skipped)
        return [(str(SKIP_REASONS[code]), n) for code, n in counts.most_common()]

    def shown(self) -> list[Skipped]:
        """The first skipped rows that name a registration of the track, for the page."""
        return [s for s in self.skipped if s.registration_id is not None][:SHOWN_SKIPS]


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _requested(track: Track, selection) -> tuple[list[Registration], int]:
    """The selected registrations of the track, locked, and how many selected ids were not the
    track's (another track's, or none at all)."""
    rows = Registration.objects.select_for_update(of=("self",)).select_related("user")
    rows = rows.only(
        "pk", "track_id", "user_id", "status", "team_name", "occupation", "user__real_name", "user__username"
    )
    if isinstance(selection, QuerySet):
        found = list(rows.filter(track=track, pk__in=selection.filter(track=track).values("pk")).order_by("pk"))
        others = 0
    else:
        ids = sorted({int(pk) for pk in selection})
        if len(ids) > MAX_ROWS:
            raise ValidationError(_("一次最多处理 %(n)s 条报名，请缩小筛选范围") % {"n": MAX_ROWS})
        found = [r for chunk in _chunks(ids) for r in rows.filter(track=track, pk__in=chunk)]
        others = len(ids) - len(found)
    if len(found) > MAX_ROWS:
        raise ValidationError(_("一次最多处理 %(n)s 条报名，请缩小筛选范围") % {"n": MAX_ROWS})
    return found, others


def _people(registrations: list[Registration]) -> dict[int, set[int]]:
    """{registration id: its people (registrant and accepted members)}: one query per CHUNK."""
    people = {r.pk: {r.user_id} for r in registrations}
    for chunk in _chunks(list(people)):
        for registration_id, user_id in TeamMember.objects.filter(registration_id__in=chunk).values_list(
            "registration_id", "user_id"
        ):
            people[registration_id].add(user_id)
    return people


def _holders(track: Track) -> dict[int, set[int]]:
    """{person: the pending or approved registrations of the track holding them}: two queries."""
    holders: dict[int, set[int]] = {}
    active = Registration.objects.filter(track=track, status__in=ACTIVE_STATUSES)
    for pk, user_id in active.values_list("pk", "user_id"):
        holders.setdefault(user_id, set()).add(pk)
    members = TeamMember.objects.filter(registration__track=track, registration__status__in=ACTIVE_STATUSES)
    for registration_id, user_id in members.values_list("registration_id", "user_id"):
        holders.setdefault(user_id, set()).add(registration_id)
    return holders


def _approvable(track: Track, candidates: list[Registration], outcome: BulkOutcome) -> list[Registration]:
    ids = [r.pk for r in candidates]
    waiting: set[int] = set()
    for chunk in _chunks(ids):
        waiting.update(
            TeamInvitation.objects.filter(registration_id__in=chunk, status=InvitationStatus.PENDING).values_list(
                "registration_id", flat=True
            )
        )
    people = _people(candidates)
    _lock_people({u for group in people.values() for u in group})
    holders = _holders(track)
    checked = eligibility.registrations_check(track, candidates)
    everyone = {u for group in people.values() for u in group}
    # An enterprise 技术比武 admits only its host's workers on the roster now (contests.enterprise).
    workers = (
        enterprise.host_worker_ids(track.contest.host_organisation_id, everyone)
        if enterprise.is_hosted(track.contest)
        else everyone
    )
    ready = []
    for registration in candidates:
        name = registration.display_name
        if registration.pk in waiting:
            outcome.skipped.append(Skipped(registration.pk, name, "invitations"))
        elif any(holders.get(u, set()) - {registration.pk} for u in people[registration.pk]):
            outcome.skipped.append(Skipped(registration.pk, name, "taken"))
        elif people[registration.pk] - workers:
            outcome.skipped.append(Skipped(registration.pk, name, "not_worker"))
        elif checked.of(registration.pk):
            outcome.skipped.append(Skipped(registration.pk, name, "ineligible", checked.of(registration.pk)))
        else:
            ready.append(registration)
    return ready


def audit_each(
    *, by, action: str, ids: list[int], contest_id: int, now: dt.datetime, object_type: str = "registration", **data
) -> None:
    """One audit line per registration (the code of a single decision), in bulk inserts."""
    lines = [
        AuditLog(
            actor=by,
            action=action,
            object_type=object_type,
            object_id=pk,
            contest_id=contest_id,
            data=data,
            created_at=now,
        )
        for pk in ids
    ]
    AuditLog.objects.bulk_create(lines, batch_size=CHUNK)


def open_rounds_join(track: Track, now: dt.datetime) -> None:
    """Newly approved registrations get their entries in the track's open rounds (one sync per round)."""
    for rnd in Round.objects.filter(
        track=track, status__in=[RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED]
    ):
        entries_sync(rnd, now)


@transaction.atomic
def registrations_decide(
    *, track: Track, by, decision: str, selection, note: str = "", now: dt.datetime | None = None
) -> BulkOutcome:
    """Approve or reject the selected registrations of the track (a queryset, e.g. every row matching
    the list's filters, or ids ticked on the page) with one reason the contestants read.

    Each row is checked again here; rows that fail are skipped with the reason, the rest change in one
    transaction, each with its audit line, and their people are notified after the commit."""
    require_organiser(by, track)
    if decision not in (APPROVE, REJECT):
        raise ValidationError(_("未知操作"))
    now = now or timezone.now()
    note = (note or "").strip()[:NOTE_MAX]
    outcome = BulkOutcome(decision=decision)
    found, others = _requested(track, selection)
    outcome.skipped.extend(Skipped(None, "", "other_track") for _i in range(others))
    candidates = []
    for registration in found:
        if registration.status != RegistrationStatus.PENDING:
            outcome.skipped.append(Skipped(registration.pk, registration.display_name, "not_pending"))
        else:
            candidates.append(registration)
    ready = _approvable(track, candidates, outcome) if decision == APPROVE else candidates
    status = RegistrationStatus.APPROVED if decision == APPROVE else RegistrationStatus.REJECTED
    ids = [r.pk for r in ready]
    for chunk in _chunks(ids):
        Registration.objects.filter(pk__in=chunk, status=RegistrationStatus.PENDING).update(
            status=status, decided_by=by, decided_at=now, note=note
        )
    action = "registration.approve" if decision == APPROVE else "registration.reject"
    audit_each(by=by, action=action, ids=ids, contest_id=track.contest_id, now=now, note=note, bulk=True)
    followed = []
    for chunk in _chunks(ids):  # nominees' nominations are decided with their registrations
        followed += nominations_follow(
            registration_ids=chunk, approved=decision == APPROVE, by=by, reason=note, now=now
        )
    action = "nomination.accept" if decision == APPROVE else "nomination.return"
    audit_each(
        by=by, action=action, ids=followed, contest_id=track.contest_id, now=now, object_type="nomination", bulk=True
    )
    summary = {"done": len(ids), "skipped": outcome.skipped_count, "note": note}
    if decision == APPROVE:
        audit(actor=by, action="registrations.bulk_approve", obj=track, now=now, contest_id=track.contest_id, **summary)
        if ids:
            open_rounds_join(track, now)
    else:
        audit(actor=by, action="registrations.bulk_reject", obj=track, now=now, contest_id=track.contest_id, **summary)
    if ids:
        notices.registrations_decided(track_id=track.pk, registration_ids=ids, status=status, note=note)
    outcome.done = len(ids)
    return outcome


@transaction.atomic
def track_eligibility_set(*, track: Track, by, values: dict, now: dt.datetime | None = None) -> TrackEligibility:
    """An organiser sets the track's entry rules; registrations already approved stay approved."""
    require_organiser(by, track)
    now = now or timezone.now()
    fields = ("min_age", "max_age", "age_on", "min_skill_level", "required_course", "occupations")
    rules = TrackEligibility.objects.select_for_update().filter(track=track).first() or TrackEligibility(track=track)
    for name in fields:
        empty = "" if name == "occupations" else None
        setattr(rules, name, values.get(name) or empty)
    rules.updated_by = by
    rules.full_clean()
    rules.save()
    shown = {n: str(getattr(rules, n) or "") for n in fields}
    audit(actor=by, action="track.eligibility", obj=track, now=now, contest_id=track.contest_id, **shown)
    return rules
