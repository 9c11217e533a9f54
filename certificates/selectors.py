"""Reads for certificates: award winners of a contest round, lists for people's pages."""

from django.db.models import Q

from contests.models import Round, RoundStage, TeamMember
from contests.scoring import Award
from contests.selectors import AwardRow, final_awards

from .models import Certificate
from .snapshots import AwardWinner, frozen_label


def _team_members(rows: list[AwardRow]) -> dict[int, list]:
    """The members of the rows' teams other than their leaders, by registration id, in one query."""
    members: dict[int, list] = {}
    for member in (
        TeamMember.objects.filter(registration__in=[row.registration for row in rows])
        .select_related("user")
        .order_by("id")
    ):
        members.setdefault(member.registration_id, []).append(member.user)
    return members


def awards_for_round(rnd: Round) -> list[AwardWinner]:
    """Every award winner of a round with final results, one row per person, in rank order.

    Reads `contests.selectors.final_awards(round)`, which is empty while the results are provisional
    (成绩公示中) or not out. A team's award gives its leader and each member a certificate.
    """
    track = rnd.track
    round_label = rnd.title or frozen_label(RoundStage(rnd.stage))
    rows = final_awards(rnd)
    members = _team_members(rows)
    winners = []
    for row in rows:
        registration = row.registration
        people = [registration.user]
        people += [user for user in members.get(registration.pk, []) if user.pk != registration.user_id]
        winners += [
            AwardWinner(
                user=person,
                award=Award(row.award),
                rank=row.rank,
                total=str(row.total),
                contest=track.contest.name,
                track=track.name,
                round=round_label,
                round_id=rnd.pk,
                team=registration.team_name,
            )
            for person in people
        ]
    return winners


def certificates_search(*, query: str = "", kind: str = "", state: str = ""):
    """Organisers' list: by number, code, holder name or username; kind; valid / revoked."""
    qs = Certificate.objects.select_related("holder").order_by("-issued_at", "-id")
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(code__iexact=query.replace("-", "").replace(" ", ""))
            | Q(holder__real_name__icontains=query)
            | Q(holder__username__iexact=query)
            | Q(snapshot__holder__name__icontains=query)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if state in ("valid", "revoked"):
        qs = qs.filter(status=state)
    return qs
