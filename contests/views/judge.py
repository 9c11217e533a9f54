"""The judge's console: a track's judges enter and confirm practical scores, seat by seat.

Blind judging: until the round's results are out, the page and its JSON name entries by their seat
number only (`?seat=7`, `seat` in a form), never by a name, organisation, province, team or id.
Entries without a seat (not yet checked in and drawn) cannot be scored. A judge of another track,
or a request naming an entry or a registration instead of a seat, is refused and audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .. import services
from ..models import Criterion, CriterionResult, Entry, JudgeScore, RoundStatus
from ..models.rounds import RESULT_STATUSES
from ..permissions import can_judge_track, is_chief_judge, is_judge
from .common import error_page, messages_from, round_or_404

FETCH = "fetch"  # X-Requested-With of the console's own script: answer with the criterion's row as JSON
# Parameters that would name an entry other than by its seat: refused and audited during judging.
NAMING = ("entry", "registration", "registration_id", "user", "name", "team", "organisation")


def _seat(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 5 else None


@login_required
def judge_console(request, round_id: int):
    """Seats on the left, the chosen seat's criteria on the right. A score is posted by the page's
    script and its row replaced in place, so the judge stays where they were on a long list; without
    the script the form posts and the page comes back at the same criterion (#criterion-<id>)."""
    rnd = round_or_404(round_id)
    if not can_judge_track(request.user, rnd.track_id):
        if is_judge(request.user):  # a judge of another track trying this round's seats
            services.judge_refusal_record(judge=request.user, round=rnd, code="not_track_judge", method=request.method)
        return error_page(request, _("您不是该赛项的评委"), 403)
    fetched = request.headers.get("X-Requested-With") == FETCH
    params = request.POST if request.method == "POST" else request.GET
    named = [key for key in NAMING if key in request.GET or key in request.POST]
    if named and rnd.status not in RESULT_STATUSES:
        services.judge_refusal_record(judge=request.user, round=rnd, code="names_requested", params=",".join(named))
        message = _("盲评期间只能按座位号评分，不能按选手或报名编号查询")
        if fetched:
            return JsonResponse({"ok": False, "message": message}, status=400)
        return error_page(request, message, 400)
    seated = Entry.objects.filter(round=rnd, seat_number__isnull=False).order_by("seat_number")
    if rnd.status in RESULT_STATUSES:  # names once the results are out
        seated = seated.select_related("registration")
    seated = list(seated)
    wanted = _seat(params.get("seat"))
    current = next((e for e in seated if e.seat_number == wanted), None)
    criteria = list(
        Criterion.objects.filter(task__round=rnd)
        .select_related("task")
        .order_by("task__order", "task_id", "order", "id")
    )
    can_score = rnd.status in (RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED)
    if request.method == "POST":
        return _score_post(request, rnd, current, criteria, can_score, fetched)
    scored = _confirmed(rnd, request.user)
    context = {
        "round": rnd,
        "seats": seated,
        "unseated": Entry.objects.filter(round=rnd, seat_number__isnull=True).count(),
        "names": rnd.status in RESULT_STATUSES,
        "current": current,
        "rows": _rows(current, criteria, request.user) if current is not None else [],
        "criteria_count": len(criteria),
        "progress": {e.seat_number: sum(1 for c in criteria if (e.pk, c.pk) in scored) for e in seated},
        "can_score": can_score,
        "sees_integrity": is_chief_judge(request.user, rnd.track_id),
        "socket_strings": {
            "status": _("场次状态已变为“%(s)s”，请刷新页面。"),
            "seats": _("有新抽签的座位，请刷新页面。"),
        },
    }
    return render(request, "contests/judge_console.html", context)


def _score_post(request, rnd, current, criteria, can_score, fetched):
    criterion = next((c for c in criteria if str(c.pk) == request.POST.get("criterion", "")), None)
    if current is None or criterion is None:
        message = _("座位号或评分项不存在；未抽签的选手不能评分")
        if fetched:
            return JsonResponse({"ok": False, "message": message}, status=404)
        return error_page(request, message, 404)
    try:
        if request.POST.get("action") == "confirm":
            services.judge_score_confirm(judge=request.user, entry=current, criterion=criterion)
            message, ok = _("已确认：%(c)s") % {"c": criterion.title}, True
        else:
            services.judge_score_submit(
                judge=request.user,
                entry=current,
                criterion=criterion,
                value=request.POST.get("value", ""),
                confirm=request.POST.get("action") == "submit_confirm",
            )
            message, ok = _("已保存：%(c)s") % {"c": criterion.title}, True
    except (ValidationError, PermissionDenied) as exc:
        if not fetched:
            messages_from(request, exc)
        ok = False
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc) or _("无权执行此操作")
    seat = current.seat_number
    if not fetched:  # back at the criterion when saved; at the top, where the message is, when refused
        if ok:
            messages.success(request, message)
        return redirect(f"{request.path}?seat={seat}" + (f"#criterion-{criterion.pk}" if ok else ""))
    [row] = _rows(current, [criterion], request.user)
    html = render_to_string(
        "contests/_judge_row.html",
        {"row": row, "current": current, "can_score": can_score, "note": message, "ok": ok},
        request=request,
    )
    done = sum(1 for c in criteria if (current.pk, c.pk) in _confirmed(rnd, request.user, entry=current))
    progress = _("已确认 %(n)s/%(total)s") % {"n": done, "total": len(criteria)}
    return JsonResponse({"ok": ok, "message": message, "row": html, "seat": seat, "progress": progress})


def _rows(entry, criteria, judge) -> list[dict]:
    mine = {s.criterion_id: s for s in JudgeScore.objects.filter(entry=entry, judge=judge)}
    results = {r.criterion_id: r for r in CriterionResult.objects.filter(entry=entry)}
    return [{"criterion": c, "score": mine.get(c.pk), "result": results.get(c.pk)} for c in criteria]


def _confirmed(rnd, judge, entry=None) -> set[tuple[int, int]]:
    scores = JudgeScore.objects.filter(entry__round=rnd, judge=judge, confirmed=True)
    if entry is not None:
        scores = scores.filter(entry=entry)
    return set(scores.values_list("entry_id", "criterion_id"))
