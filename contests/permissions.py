"""Who may do what in contests. Site roles come from accounts.roles; judging from track assignments."""

from django.db.models import Q

from accounts.roles import is_organiser

from .models import ACTIVE_STATUSES, Entry, Registration, RegistrationStatus, Round, TrackJudge
from .models.rounds import RESULT_STATUSES
from .progression import entrant_q


def can_manage_contests(user) -> bool:
    """Organisers (the 组织者 group or superusers) run every contest."""
    return is_organiser(user)


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
    """Organisers and the track's judges see the board unfrozen."""
    return can_manage_contests(user) or can_judge_track(user, track_id)


def judge_is_blind(user, rnd: Round) -> bool:
    """A judge of the round's track (not an organiser) before its results are out: they know the
    entries by seat number only, and see the public board, not the staff one with live names."""
    return rnd.status not in RESULT_STATUSES and can_judge_track(user, rnd.track_id) and not can_manage_contests(user)


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


def is_chief_judge(user, track_id: int) -> bool:
    """The track's 裁判长 (`TrackJudge.is_chief`)."""
    if not user or not user.is_authenticated:
        return False
    return TrackJudge.objects.filter(track_id=track_id, judge=user, is_chief=True).exists()


def sees_integrity(user, track_id: int) -> bool:
    """Integrity signals, hand-ins and device bindings: organisers and the track's chief judge only."""
    return can_manage_contests(user) or is_chief_judge(user, track_id)


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
