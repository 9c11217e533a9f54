"""Pages and JSON anyone may open: the contests, the live scoreboard, the venue display, results,
and the board JSON for clients that are not on a socket (or have just lost it).

The scoreboard page renders the first state on the server (so it reads without JavaScript) and hands
static/js/scoreboard.js a JSON config: socket path, URLs, filters and the interface strings,
translated here. Organisers and the track's judges get the live (staff) board; everyone else the
public one, frozen in the last minutes. The page's rows and the JSON are the same snapshot
(`contests.scoreboard.snapshot_payload`), filtered alike by `?province=32&organisation=…` with
overall ranks kept.
"""

from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import assessment_results, enterprise, scoreboard, scoring, selectors, services, visibility
from .. import results as review_results
from ..events import PUBLIC, STAFF
from ..models import Contest, Province, Round, RoundStatus
from ..models.rounds import RESULT_STATUSES
from ..permissions import (
    can_judge_track,
    can_manage_contest,
    can_manage_contests,
    can_manage_track,
    entry_for_user,
    sees_staff_board,
)
from . import review
from .common import error_page, round_or_404

# ------------------------------------------------------------------ contests


@require_GET
def contest_list(request):
    contests = Contest.objects.prefetch_related("tracks")
    context = {"contests": contests, "invitations": selectors.invitations_waiting(request.user)}
    return render(request, "contests/contest_list.html", context)


@require_GET
def contest_detail(request, slug: str):
    contest = get_object_or_404(
        Contest.objects.prefetch_related(Prefetch("tracks__rounds", queryset=Round.objects.order_by("starts_at"))),
        slug=slug,
    )
    mine = selectors.registrations_of(request.user, contest)
    invitations: dict[int, list] = {}
    for invitation in selectors.invitations_waiting(request.user, contest):
        invitations.setdefault(invitation.registration.track_id, []).append(invitation)
    all_tracks = list(contest.tracks.all())
    # Why this visitor may not register, whatever they fill in: the page says so instead of a link.
    # A 技术比武's outsiders are refused contest-wide (asked once); judges track by track.
    outsider = (
        services.registration_refusal(all_tracks[0], request.user)
        if all_tracks and request.user.is_authenticated and enterprise.is_hosted(contest)
        else ""
    )
    tracks = []
    for t in all_tracks:
        judging = can_judge_track(request.user, t.pk)
        tracks.append(
            {
                "track": t,
                "registration": mine.get(t.pk),
                "invitations": invitations.get(t.pk, []),
                "judging": judging,
                "refusal": outsider or (services.registration_refusal(t, request.user) if judging else ""),
                "rounds": list(t.rounds.all()),
            }
        )
    context = {
        "contest": contest,
        "tracks": tracks,
        "organiser": can_manage_contest(request.user, contest),
        # The practice bank is any provider's question bank: site organisers only, not the managers
        # of an enterprise contest (docs/contests.md, "Practice").
        "practice_settings": can_manage_contests(request.user),
    }
    return render(request, "contests/contest_detail.html", context)


@require_GET
def results(request, round_id: int):
    """Results and awards: provisional during the 公示 (a contestant files review requests here and
    reads the answers), final after it; organisers see them from the end of the round."""
    rnd = round_or_404(round_id)
    organiser = can_manage_track(request.user, rnd.track_id)
    if rnd.status not in RESULT_STATUSES and not organiser:
        return error_page(request, _("成绩尚未公布"), 404)
    if rnd.status not in (RoundStatus.ENDED, *RESULT_STATUSES):
        return error_page(request, _("比赛结束后才能查看成绩"), 404)
    if rnd.status == RoundStatus.PUBLISHED and services.round_finalise_if_due(round_id=rnd.pk):
        rnd = round_or_404(round_id)
    context = {
        "round": rnd,
        "results": selectors.round_results(rnd),
        "verdicts": assessment_results.round_verdicts(rnd),  # [] unless a skill-level assessment
        "organiser": organiser,
        "award_rule": scoring.award_rule_text(rnd.track.award_mode),
        "window_end": review_results.review_window_end(rnd),
        "reviewer": services.can_answer_reviews(request.user, rnd.track_id),
        **review.contestant_context(request, rnd),
    }
    return render(request, "contests/results.html", context)


# ------------------------------------------------------------------ the live scoreboard


def board_strings() -> dict:
    """The board script's interface strings (the contestant console shows a board too)."""
    return {
        "connecting": _("连接中…"),
        "live": _("实时"),
        "reconnecting": _("连接中断，正在重新连接…"),
        "closed": _("连接已关闭"),
        "frozen": _("已封榜：最后阶段的成绩变化将在比赛结束后揭晓"),
        "frozen_staff": _("公众榜已封榜；您看到的是实时榜"),
        "revealed": _("揭晓"),
        "empty": _("暂无选手。"),
        "mine": _("我的排名"),
        "status": {s.value: str(s.label) for s in RoundStatus},
    }


def hidden_note(rnd: Round, *, live: bool) -> str:
    """What the board says while a part of the scores is hidden from the public (contests.visibility)."""
    hide = visibility.hidden(rnd)
    if hide.unranked and not hide.parts:
        return _("职业技能等级认定按合格线评定，不排名次")
    if not hide.parts:
        return ""
    if live:
        return _("选手和公众在比赛结束前看不到隐藏的成绩、总分和名次；您看到的是实时成绩")
    if hide.theory and hide.practical:
        return _("理论和实操成绩在比赛结束后公布，此前不显示总分和名次")
    if hide.theory:
        return _("理论成绩在比赛结束后公布，此前不显示总分和名次")
    return _("实操成绩在比赛结束后公布，此前不显示总分和名次")


def _filters(request) -> tuple[str, str]:
    """`?province=32&organisation=…` (bounded like the fields they match)."""
    return request.GET.get("province", "")[:2], request.GET.get("organisation", "")[:100]


def _board_context(
    request, rnd: Round, *, view: str, live: bool, display: bool = False, province: str = "", organisation: str = ""
) -> dict:
    audience = STAFF if live else PUBLIC
    snapshot = scoreboard.snapshot_payload(
        rnd, audience=audience, view=view, province=province, organisation=organisation
    )
    entry = entry_for_user(request.user, rnd.pk) if not (live or display) else None
    mine = selectors.scoreboard_entry_row(rnd, entry.pk, live=False) if entry else None
    socket = f"/ws/rounds/{rnd.pk}/board/?view={view}" + ("&audience=public" if not live else "")
    config = {
        "round": rnd.pk,
        "view": view,
        "audience": audience,
        "entry": entry.pk if entry else None,
        "socket": socket,
        "snapshot": reverse("contests:scoreboard_json", args=[rnd.pk]) + f"?view={view}&audience={audience}",
        "events": reverse("contests:events_json", args=[rnd.pk]) + f"?audience={audience}",
        "has_theory": rnd.has_theory,
        "has_practical": rnd.has_practical,
        "tasks": [{"id": t.pk, "title": t.title} for t in rnd.tasks.all()],
        "provinces": dict(Province.choices),
        "filters": {"province": province, "organisation": organisation},
        "strings": board_strings(),
        "mode": "display" if display else "page",
    }
    return {
        "round": rnd,
        "rows": snapshot["rows"],
        "mine": mine,
        "view": view,
        "live": live,
        "frozen": not live and snapshot["frozen"],
        "hidden_note": hidden_note(rnd, live=live),
        "tasks": config["tasks"],
        "provinces": Province.choices,
        "province": province,
        "organisation": organisation,
        "organisations": sorted(set(rnd.board_rows.values_list("organisation", flat=True))),
        "config": config,
        "organiser": can_manage_track(request.user, rnd.track_id),
    }


@require_GET
def scoreboard_page(request, round_id: int):
    """The live board: the first 20 rows, or every row (`?view=all`), which `?province=` and
    `?organisation=` filter (a filter opens the full board; ranks stay the overall ones)."""
    rnd = round_or_404(round_id)
    province, organisation = _filters(request)
    view = "all" if request.GET.get("view") == "all" or province or organisation else "top"
    live = sees_staff_board(request.user, rnd)
    context = _board_context(request, rnd, view=view, live=live, province=province, organisation=organisation)
    return render(request, "contests/scoreboard.html", context)


@require_GET
def display(request, round_id: int):
    """The venue's big screen: no login, always the public board, every row, auto-scrolling."""
    rnd = round_or_404(round_id)
    context = _board_context(request, rnd, view="all", live=False, display=True)
    # The score columns (theory, each task and practical, total) share the screen's width equally.
    scores = int(rnd.has_theory) + ((len(context["tasks"]) + 1) if rnd.has_practical else 0) + 1
    context["score_columns"] = max(5, scores)
    return render(request, "contests/display.html", context)


# ------------------------------------------------------------------ board JSON


def _json(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


def _round_and_audience(request, round_id: int) -> tuple[Round, str]:
    """`?audience=public` gives staff the public board too (the venue display asks for it)."""
    rnd = get_object_or_404(Round.objects.select_related("track"), pk=round_id)
    staff = sees_staff_board(request.user, rnd) and request.GET.get("audience") != PUBLIC
    return rnd, STAFF if staff else PUBLIC


@require_GET
def scoreboard_json(request, round_id: int):
    """`?view=all|top&province=32&organisation=…`: the ranked board (overall ranks kept when filtered)."""
    rnd, audience = _round_and_audience(request, round_id)
    view = "top" if request.GET.get("view") == "top" else "all"
    province, organisation = _filters(request)
    payload = scoreboard.snapshot_payload(
        rnd, audience=audience, view=view, province=province, organisation=organisation
    )
    entry = entry_for_user(request.user, rnd.pk) if audience == PUBLIC else None
    if entry is not None:
        payload["mine"] = selectors.scoreboard_entry_row(rnd, entry.pk, live=False)
    return _json(payload)


@require_GET
def events_json(request, round_id: int):
    """`?since=N`: the feed after N, or `{"snapshot": …}` when N is too old, in the future, or a state change lies between."""
    rnd, audience = _round_and_audience(request, round_id)
    since = request.GET.get("since", "")
    if not (since.isascii() and since.isdigit() and len(since) <= 19 and int(since) <= services.ID_MAX):
        return _json({"error": "bad_request", "message": _("请提供有效的 since 参数")}, status=400)
    return _json(scoreboard.feed_payload(rnd, audience=audience, since=int(since)))
