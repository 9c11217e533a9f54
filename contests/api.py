"""JSON for board clients that are not on a socket (or have just lost it): the snapshot and the feed.

Organisers and the track's judges get the live board; everyone else the public one, frozen in the
last minutes. Shapes are those of the socket messages (docs/protocol.md), built by contests.scoreboard.
"""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import scoreboard, selectors
from .events import PUBLIC, STAFF
from .models import Round
from .permissions import entry_for_user, sees_live_board


def _json(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


def _round_and_audience(request, round_id: int) -> tuple[Round, str]:
    """`?audience=public` gives staff the public board too (the venue display asks for it)."""
    rnd = get_object_or_404(Round.objects.select_related("track"), pk=round_id)
    staff = sees_live_board(request.user, rnd.track_id) and request.GET.get("audience") != PUBLIC
    return rnd, STAFF if staff else PUBLIC


@require_GET
def scoreboard_json(request, round_id: int):
    """`?view=all|top&province=32&organisation=…`: the ranked board (overall ranks kept when filtered)."""
    rnd, audience = _round_and_audience(request, round_id)
    view = "top" if request.GET.get("view") == "top" else "all"
    payload = scoreboard.snapshot_payload(
        rnd,
        audience=audience,
        view=view,
        province=request.GET.get("province", "")[:2],
        organisation=request.GET.get("organisation", "")[:100],
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
    if not since.isdigit():
        return _json({"error": "bad_request", "message": _("请提供有效的 since 参数")}, status=400)
    return _json(scoreboard.feed_payload(rnd, audience=audience, since=int(since)))
