"""Reads of the pool: search with filters, the candidates for a track with their recusal reasons,
an expert's history of rounds judged, contact details as a viewer may see them."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.phones import mask_phone
from contests.models import JudgeScore, Round, Track, TrackJudge

from .models import Expert
from .permissions import sees_contacts
from .recusal import Conflict, judge_profile, track_conflicts, track_parties

QUERY_MAX = 50
CANDIDATES_MAX = 100


def mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ("***" if email else "")


def expert_contacts(expert: Expert, viewer) -> dict[str, str]:
    """Phone and e-mail, in full for organisers and the expert, masked for everyone else."""
    if sees_contacts(viewer, expert):
        return {"phone": expert.phone, "email": expert.email, "masked": False}
    return {"phone": mask_phone(expert.phone), "email": mask_email(expert.email), "masked": True}


def expert_search(
    *, query: str = "", province: str = "", qualification: str = "", specialty: str = "", active_only: bool = True
) -> QuerySet[Expert]:
    """The pool filtered: the query in the name, the organisation, an occupation or a track name."""
    rows = Expert.objects.select_related("organisation", "province", "city", "user")
    if active_only:
        rows = rows.active()
    query = (query or "").strip()[:QUERY_MAX]
    if query:
        rows = rows.filter(
            Q(name__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(organisation__short_name__icontains=query)
            | Q(occupations__icontains=query)
            | Q(titles__icontains=query)
            | Q(tracks__name__icontains=query)
        ).distinct()
    if province:
        rows = rows.filter(province_id=province[:2])
    if qualification:
        rows = rows.with_qualification(qualification)
    specialty = (specialty or "").strip()[:QUERY_MAX]
    if specialty:
        rows = rows.filter(Q(occupations__icontains=specialty) | Q(tracks__name__icontains=specialty)).distinct()
    return rows.order_by("name", "pk")


@dataclass
class Candidate:
    expert: Expert
    assigned: bool
    conflicts: list[Conflict]

    @property
    def available(self) -> bool:
        return not self.assigned and not self.conflicts and self.expert.user_id is not None


def pool_candidates(
    track: Track, experts, *, available_only: bool = False, limit: int = CANDIDATES_MAX
) -> list[Candidate]:
    """The experts as candidates for the track: already a judge, or why they must recuse."""
    judges = set(TrackJudge.objects.filter(track=track).values_list("judge_id", flat=True))
    parties = track_parties(track)
    out = []
    for expert in experts.prefetch_related("conflicts"):
        found = []
        if expert.user_id is not None or expert.organisation_id is not None:
            profile = judge_profile(expert.user, expert=expert)
            found = track_conflicts(expert.user, track, parties=parties, profile=profile)
        candidate = Candidate(expert=expert, assigned=expert.user_id in judges, conflicts=found)
        if available_only and not candidate.available:
            continue
        out.append(candidate)
        if len(out) >= limit:
            break
    return out


def track_judges(track: Track) -> list[dict]:
    """The track's judges with their pool records (a judge assigned before the pool has none)."""
    assignments = TrackJudge.objects.filter(track=track).select_related("judge").order_by("-is_chief", "assigned_at")
    experts = {
        e.user_id: e
        for e in Expert.objects.filter(user_id__in=[a.judge_id for a in assignments]).select_related("organisation")
    }
    return [{"assignment": a, "expert": experts.get(a.judge_id)} for a in assignments]


def expert_history(expert: Expert) -> list[dict]:
    """The rounds of the tracks the expert judged (or judges): the round, chief or not, and how many
    scores they entered and confirmed in it."""
    if expert.user_id is None:
        return []
    assignments = {
        a.track_id: a for a in TrackJudge.objects.filter(judge_id=expert.user_id).select_related("track__contest")
    }
    scored = {
        row["entry__round_id"]: row
        for row in JudgeScore.objects.filter(judge_id=expert.user_id)
        .values("entry__round_id")
        .annotate(scores=Count("id"), confirmed=Count("id", filter=Q(confirmed=True)))
    }
    rounds = Round.objects.filter(Q(track_id__in=list(assignments)) | Q(pk__in=list(scored))).select_related(
        "track__contest"
    )
    out = []
    for rnd in rounds.order_by("-starts_at", "-pk"):
        assignment = assignments.get(rnd.track_id)
        counts = scored.get(rnd.pk, {})
        out.append(
            {
                "round": rnd,
                "track": rnd.track,
                "contest": rnd.track.contest,
                "is_chief": bool(assignment and assignment.is_chief),
                "assigned": assignment is not None,
                "scores": counts.get("scores", 0),
                "confirmed": counts.get("confirmed", 0),
            }
        )
    return out
