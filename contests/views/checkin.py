"""检录 and the seat draw: the organiser's check-in list of a round (search, one entry or many at
once, the draw's commit and run), and the draw record anyone may check (`seats.json`).

Who sees what in the record: everyone sees each draw's commitment, and its seed once drawn (with
the number of entries and the first seat); which entry got which seat is shown to organisers, to
everyone once the results are out, and to a contestant for their own entry. Before the results,
that list would let a judge put names to seat numbers.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import services
from ..models import Entry, SeatDraw
from ..models.rounds import RESULT_STATUSES
from ..permissions import can_manage_track, entry_for_user
from ..services.seats import CHECK_IN_STATUSES
from .common import messages_from, round_or_404
from .organiser import organiser_required

VERIFY = "python -m contests.seats {seed} {first_seat} {entries}"


def draw_payload(draw: SeatDraw, *, full: bool) -> dict:
    payload = {
        "id": draw.pk,
        "commitment": draw.commitment,
        "committed_at": draw.committed_at.isoformat(),
        "drawn_at": draw.drawn_at.isoformat() if draw.drawn_at else None,
        "seed": draw.seed if draw.is_drawn else None,
        "first_seat": draw.first_seat,
        "count": len(draw.entries),
    }
    if draw.is_drawn and full:
        payload["entries"] = draw.entries  # entry ids in drawn order: seats first_seat, first_seat + 1, …
        ids = " ".join(str(i) for i in draw.entries)
        payload["verify"] = VERIFY.format(seed=draw.seed, first_seat=draw.first_seat, entries=ids)
    return payload


@require_GET
def seats_json(request, round_id: int):
    """The round's seat draws: commitments, seeds once drawn, and (see the module) the seating."""
    rnd = round_or_404(round_id)
    full = can_manage_track(request.user, rnd.track_id) or rnd.status in RESULT_STATUSES
    payload = {
        "round": rnd.pk,
        "algorithm": _(
            "承诺值 = SHA-256(种子)；抽签顺序 = 按 HMAC-SHA256(密钥=种子, 消息=参赛记录编号) 的十六进制值升序，"
            "依次分配从起始座位号起的座位号（详见 contests/seats.py）"
        ),
        "draws": [draw_payload(d, full=full) for d in rnd.seat_draws.order_by("committed_at", "pk")],
    }
    entry = entry_for_user(request.user, rnd.pk)
    if entry is not None:
        payload["mine"] = {"entry": entry.pk, "seat": entry.seat_number}
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@organiser_required
def check_in(request, round_id: int):
    rnd = round_or_404(round_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if "one" in request.POST or action == "check_in":  # one row's button, or the ticked rows
                ids = [request.POST["one"]] if "one" in request.POST else request.POST.getlist("entry")
                n = services.entries_check_in(round=rnd, entry_ids=ids, by=request.user)
                messages.success(request, _("已检录 %(n)s 名选手") % {"n": n})
            elif "undo" in request.POST:
                entry_id = request.POST["undo"]
                valid = entry_id.isascii() and entry_id.isdigit() and len(entry_id) <= 19
                entry = get_object_or_404(
                    Entry, pk=int(entry_id) if valid and services.is_db_id(int(entry_id)) else 0, round=rnd
                )
                services.entry_check_in_undo(entry=entry, by=request.user)
                messages.success(request, _("已撤销检录"))
            elif action == "commit":
                draw = services.seat_draw_commit(round=rnd, by=request.user)
                messages.success(request, _("随机种子已生成，承诺值：%(c)s") % {"c": draw.commitment})
            elif action == "draw":
                draw = services.seat_draw_run(round=rnd, by=request.user)
                messages.success(request, _("抽签完成：%(n)s 名选手已分配座位，种子已公开") % {"n": len(draw.entries)})
            else:
                messages.error(request, _("未知操作"))
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        return redirect(request.get_full_path())
    query = request.GET.get("q", "").strip()[:60]
    state = request.GET.get("state", "")
    entries = Entry.objects.filter(round=rnd).select_related("registration__user").order_by("seat_number", "pk")
    if query:
        match = (
            Q(registration__team_name__icontains=query)
            | Q(registration__user__real_name__icontains=query)
            | Q(registration__user__username__icontains=query)
            | Q(registration__organisation__icontains=query)
        )
        if query.isdigit() and len(query) <= 5:
            match |= Q(seat_number=int(query))
        entries = entries.filter(match)
    if state == "waiting":
        entries = entries.filter(checked_in_at__isnull=True)
    elif state == "checked":
        entries = entries.filter(checked_in_at__isnull=False)
    draws = list(rnd.seat_draws.select_related("committed_by", "drawn_by").order_by("committed_at", "pk"))
    context = {
        "round": rnd,
        "entries": entries,
        "query": query,
        "state": state,
        "draws": [(d, draw_payload(d, full=True)) for d in draws],
        "pending": next((d for d in draws if not d.is_drawn), None),
        "counts": {
            "all": Entry.objects.filter(round=rnd).count(),
            "checked": Entry.objects.filter(round=rnd, checked_in_at__isnull=False).count(),
            "seated": Entry.objects.filter(round=rnd, seat_number__isnull=False).count(),
        },
        "open": rnd.status in CHECK_IN_STATUSES,
        "seats_json": reverse("contests:seats_json", args=[rnd.pk]),
    }
    return render(request, "contests/check_in.html", context)
