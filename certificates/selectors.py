"""Reads for certificates: award winners of a contest round, lists for people's pages."""

from django.db.models import Q

from .models import Certificate
from .snapshots import AwardRow, award_label


def _published_awards():
    """contests' `published_awards(round)`, imported lazily: certificates must load without contests."""
    try:
        from contests.selectors import published_awards
    except ImportError:
        from contests.services import published_awards
    return published_awards


def _round_label(rnd) -> str:
    title = getattr(rnd, "title", "") or ""
    if title:
        return title
    display = getattr(rnd, "get_stage_display", None)
    return str(display()) if display else ""


def _people(row) -> list[tuple[object, str]]:
    """The users a published award row covers, with the team name: a team's leader and members."""
    user = getattr(row, "user", None)
    if user is not None:
        return [(user, "")]
    registration = row.registration
    team = getattr(registration, "team_name", "") or ""
    people = [registration.user]
    members = getattr(registration, "team_members", None)
    if members is not None:
        people += [m.user for m in members.select_related("user").order_by("id") if m.user_id != registration.user_id]
    return [(person, team) for person in people]


def awards_for_round(rnd) -> list[AwardRow]:
    """Every award winner of a published round, one row per person, in rank order.

    Reads `contests.selectors.published_awards(round)` — rows with `registration` (or `user`),
    `award` (a choice value such as "first", or 一等奖 …), `rank` and `total`; empty until the
    round's results are published. Team awards give each member a certificate.
    """
    track = rnd.track
    contest = track.contest
    rows = []
    for row in _published_awards()(rnd):
        label = award_label(row.award)
        for person, team in _people(row):
            rows.append(
                AwardRow(
                    user=person,
                    award=label,
                    rank=getattr(row, "rank", None),
                    total=str(getattr(row, "total", "") or ""),
                    contest=contest.name,
                    track=track.name,
                    round=_round_label(rnd),
                    round_id=rnd.pk,
                    team=team,
                )
            )
    return rows


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
