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


def viewable_expert_ids(user, experts) -> set[int]:
    """Which of `experts` the user may open (can_view_expert, in at most one query): a page lists
    many experts and links only those, so it never shows a link its viewer gets a 404 from."""
    experts = list(experts)
    if not user or not user.is_authenticated:
        return set()
    if is_organiser(user):
        return {e.pk for e in experts}
    mine = TrackJudge.objects.filter(judge=user).values("track_id")
    fellows = set(TrackJudge.objects.filter(track_id__in=mine).values_list("judge_id", flat=True))
    fellows.add(user.pk)
    return {e.pk for e in experts if e.user_id is not None and e.user_id in fellows}


def sees_contacts(user, expert: Expert) -> bool:
    """Phone and e-mail in full: organisers, and the expert themselves."""
    if not user or not user.is_authenticated:
        return False
    return is_organiser(user) or (expert.user_id is not None and expert.user_id == user.pk)


def can_declare_conflict(user, expert: Expert) -> bool:
    return sees_contacts(user, expert)
