"""Who may see what of the pool. Organisers run it; an expert sees their own record; a judge sees
the records of the judges they share a track with, with contact details masked."""

from accounts.roles import is_organiser
from contests.models import TrackJudge

from .models import Expert


def can_manage_pool(user) -> bool:
    return is_organiser(user)


def can_view_expert(user, expert: Expert) -> bool:
    if not user or not user.is_authenticated:
        return False
    if is_organiser(user) or (expert.user_id is not None and expert.user_id == user.pk):
        return True
    if expert.user_id is None:
        return False
    mine = TrackJudge.objects.filter(judge=user).values("track_id")
    return TrackJudge.objects.filter(judge_id=expert.user_id, track_id__in=mine).exists()


def sees_contacts(user, expert: Expert) -> bool:
    """Phone and e-mail in full: organisers, and the expert themselves."""
    if not user or not user.is_authenticated:
        return False
    return is_organiser(user) or (expert.user_id is not None and expert.user_id == user.pk)


def can_declare_conflict(user, expert: Expert) -> bool:
    return sees_contacts(user, expert)
