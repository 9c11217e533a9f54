"""Who may do what in contests. Site roles come from accounts.roles; judging from track assignments.

Who runs a contest (every organiser-facing page, JSON and socket asks `can_manage_contest`):
- site organisers (the 组织者 group or superusers) run every contest, whoever is its `organiser`;
- an organisation's 企业培训管理员 runs the enterprise contests (技术比武) its organisation hosts
  (`level=enterprise`, `host_organisation`), and nothing else: another contest is not found.
`Contest.organiser` records who is responsible; it grants nothing by itself.
"""

from django.db.models import F, Q

from accounts.roles import is_organiser, training_organisation_ids

from .models import (
    ACTIVE_STATUSES,
    Contest,
    ContestLevel,
    Entry,
    Registration,
    RegistrationStatus,
    Round,
    Track,
    TrackJudge,
)
from .models.rounds import RESULT_STATUSES
from .progression import entrant_q


def can_manage_contests(user) -> bool:
    """Site organisers (the 组织者 group or superusers) run every contest."""
    return is_organiser(user)


def may_run_contests(user) -> bool:
    """Whether the contest administration is for this user at all: site organisers and enterprise
    training managers (who see only their organisation's 技术比武)."""
    return is_organiser(user) or bool(training_organisation_ids(user))


def contests_managed_by(user, queryset=None):
    """The contests `user` runs: all for site organisers, their organisations' enterprise contests
    for training managers, none otherwise."""
    queryset = Contest.objects.all() if queryset is None else queryset
    if is_organiser(user):
        return queryset
    organisation_ids = training_organisation_ids(user)
    if not organisation_ids:
        return queryset.none()
    return queryset.filter(level=ContestLevel.ENTERPRISE, host_organisation_id__in=organisation_ids)


def managed_contest_ids(user) -> set[int]:
    """Ids of the enterprise contests a training manager runs (empty for everyone else; site
    organisers are answered by `is_organiser` before this is asked)."""
    if not user or not user.is_authenticated or not training_organisation_ids(user):
        return set()
    cached = getattr(user, "_managed_contest_ids", None)
    if cached is None:
        cached = set(
            Contest.objects.filter(
                level=ContestLevel.ENTERPRISE, host_organisation_id__in=training_organisation_ids(user)
            ).values_list("pk", flat=True)
        )
        user._managed_contest_ids = cached
    return cached


def managed_track_ids(user) -> set[int]:
    ids = managed_contest_ids(user)
    if not ids:
        return set()
    cached = getattr(user, "_managed_track_ids", None)
    if cached is None:
        cached = set(Track.objects.filter(contest_id__in=ids).values_list("pk", flat=True))
        user._managed_track_ids = cached
    return cached


def contest_id_of(obj) -> int | None:
    """The contest an object of the contests app belongs to (Contest, Track, Round, Registration, Entry)."""
    if isinstance(obj, Contest):
        return obj.pk
    if isinstance(obj, Track):
        return obj.contest_id
    if isinstance(obj, Round | Registration):
        return obj.track.contest_id
    if isinstance(obj, Entry):
        return obj.round.track.contest_id
    raise TypeError(f"no contest for {type(obj).__name__}")


def can_manage_contest(user, contest) -> bool:
    """The one answer to "may this user run this contest?" (`contest`: a Contest, its id, or any object
    `contest_id_of` knows)."""
    if is_organiser(user):
        return True
    if contest is None:
        return False
    contest_id = contest if isinstance(contest, int) else contest_id_of(contest)
    return contest_id is not None and contest_id in managed_contest_ids(user)


def can_manage_track(user, track_id: int) -> bool:
    return is_organiser(user) or track_id in managed_track_ids(user)


def judged_track_ids(user) -> set[int]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_judged_track_ids", None)
    if cached is None:
        cached = set(TrackJudge.objects.filter(judge=user).values_list("track_id", flat=True))
        user._judged_track_ids = cached
    return cached


def is_judge(user) -> bool:
    return bool(judged_track_ids(user))


def can_judge_track(user, track_id: int) -> bool:
    return track_id in judged_track_ids(user)


def sees_live_board(user, track_id: int) -> bool:
    """The contest's organisers and the track's judges see the board unfrozen."""
    return can_manage_track(user, track_id) or can_judge_track(user, track_id)


def judge_is_blind(user, rnd: Round) -> bool:
    """A judge of the round's track (not an organiser) before its results are out: they know the
    entries by seat number only, and see the public board, not the staff one with live names."""
    return (
        rnd.status not in RESULT_STATUSES
        and can_judge_track(user, rnd.track_id)
        and not can_manage_track(user, rnd.track_id)
    )


def sees_staff_board(user, rnd: Round) -> bool:
    """The live (staff) board of this round: organisers, and the track's judges once results are out."""
    return sees_live_board(user, rnd.track_id) and not judge_is_blind(user, rnd)


def entry_for_user(user, round_id: int) -> Entry | None:
    """The user's entry in the round (as contestant, team leader or team member), if approved."""
    if not user or not user.is_authenticated:
        return None
    entries = (
        Entry.objects.select_related("round__track", "registration")
        .filter(round_id=round_id, registration__status=RegistrationStatus.APPROVED)
        .filter(entrant_q())
    )  # a round with an advancement: only the registrations advanced into it
    return (
        entries.filter(registration__user=user).first() or entries.filter(registration__team_members__user=user).first()
    )


def entries_for_users(round_id: int, user_ids) -> dict[int, Entry]:
    """`entry_for_user` for many users of one round at once (a round's start): user id → entry, for
    those with one; three statements at most, however many users. The entries share one round object
    (with its track) and carry no registration (read it if needed)."""
    rnd = Round.objects.select_related("track").filter(pk=round_id).first()
    if rnd is None:
        return {}
    entries = (
        Entry.objects.filter(round_id=round_id, registration__status=RegistrationStatus.APPROVED)
        .filter(entrant_q())
        .order_by("pk")
    )
    found: dict[int, Entry] = {}
    for entry in entries.filter(registration__user_id__in=set(user_ids)).annotate(member_id=F("registration__user_id")):
        found.setdefault(entry.member_id, entry)
    rest = set(user_ids) - set(found)
    if rest:
        members = entries.filter(registration__team_members__user_id__in=rest)
        for entry in members.annotate(member_id=F("registration__team_members__user_id")):
            found.setdefault(entry.member_id, entry)
    for entry in found.values():
        entry.round = rnd
    return found


def is_chief_judge(user, track_id: int) -> bool:
    """The track's 裁判长 (`TrackJudge.is_chief`)."""
    if not user or not user.is_authenticated:
        return False
    return TrackJudge.objects.filter(track_id=track_id, judge=user, is_chief=True).exists()


def sees_integrity(user, track_id: int) -> bool:
    """Integrity signals, hand-ins and device bindings: the contest's organisers and the track's chief judge only."""
    return can_manage_track(user, track_id) or is_chief_judge(user, track_id)


def approved_on_track(user, track_id: int) -> bool:
    """Whether the user is an approved contestant of the track (registrant, leader or team member),
    whether or not a round has opened its lobby (and so made their entry) yet."""
    if not user or not user.is_authenticated:
        return False
    mine = Q(user=user) | Q(team_members__user=user)
    return Registration.objects.filter(mine, track_id=track_id, status=RegistrationStatus.APPROVED).exists()


def may_practise(user, track_id: int) -> bool:
    """模拟练习: anyone with a pending or approved registration on the track (registrant, leader or
    team member)."""
    if not user or not user.is_authenticated:
        return False
    mine = Q(user=user) | Q(team_members__user=user)
    return Registration.objects.filter(mine, track_id=track_id, status__in=ACTIVE_STATUSES).exists()
