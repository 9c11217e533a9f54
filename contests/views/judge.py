"""The judge's console: a track's judges enter and confirm practical scores, entry by entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .. import services
from ..models import Criterion, CriterionResult, Entry, JudgeScore, RoundStatus
from ..permissions import can_judge_track, is_chief_judge
from .common import error_page, messages_from, round_or_404

FETCH = "fetch"  # X-Requested-With of the console's own script: answer with the criterion's row as JSON


@login_required
def judge_console(request, round_id: int):
    """Entries on the left, the chosen entry's criteria on the right. A score is posted by the page's
    script and its row replaced in place, so the judge stays where they were on a long list; without
    the script the form posts and the page comes back at the same criterion (#criterion-<id>)."""
    rnd = round_or_404(round_id)
    if not can_judge_track(request.user, rnd.track_id):
        return error_page(request, _("您不是该赛项的评委"), 403)
    entries = list(Entry.objects.filter(round=rnd).select_related("registration").order_by("pk"))
    current = next((e for e in entries if str(e.pk) == request.GET.get("entry", "")), None)
    criteria = list(
        Criterion.objects.filter(task__round=rnd)
        .select_related("task")
        .order_by("task__order", "task_id", "order", "id")
    )
    can_score = rnd.status in (RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED)
    if request.method == "POST":
        return _score_post(request, rnd, entries, criteria, can_score)
    scored = _confirmed(rnd, request.user)
    context = {
        "round": rnd,
        "entries": entries,
        "current": current,
        "rows": _rows(current, criteria, request.user) if current is not None else [],
        "criteria_count": len(criteria),
        "progress": {e.pk: sum(1 for c in criteria if (e.pk, c.pk) in scored) for e in entries},
        "can_score": can_score,
        "sees_integrity": is_chief_judge(request.user, rnd.track_id),
    }
    return render(request, "contests/judge_console.html", context)


def _score_post(request, rnd, entries, criteria, can_score):
    current = next((e for e in entries if str(e.pk) == request.POST.get("entry", "")), None)
    criterion = next((c for c in criteria if str(c.pk) == request.POST.get("criterion", "")), None)
    fetched = request.headers.get("X-Requested-With") == FETCH
    if current is None or criterion is None:
        if fetched:
            return JsonResponse({"ok": False, "message": _("选手或评分项不存在")}, status=404)
        return error_page(request, _("选手或评分项不存在"), 404)
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
    if not fetched:  # back at the criterion when saved; at the top, where the message is, when refused
        if ok:
            messages.success(request, message)
        return redirect(f"{request.path}?entry={current.pk}" + (f"#criterion-{criterion.pk}" if ok else ""))
    [row] = _rows(current, [criterion], request.user)
    html = render_to_string(
        "contests/_judge_row.html",
        {"row": row, "current": current, "can_score": can_score, "note": message, "ok": ok},
        request=request,
    )
    done = sum(1 for c in criteria if (current.pk, c.pk) in _confirmed(rnd, request.user, entry=current))
    progress = _("已确认 %(n)s/%(total)s") % {"n": done, "total": len(criteria)}
    return JsonResponse({"ok": ok, "message": message, "row": html, "entry": current.pk, "progress": progress})


def _rows(entry, criteria, judge) -> list[dict]:
    mine = {s.criterion_id: s for s in JudgeScore.objects.filter(entry=entry, judge=judge)}
    results = {r.criterion_id: r for r in CriterionResult.objects.filter(entry=entry)}
    return [{"criterion": c, "score": mine.get(c.pk), "result": results.get(c.pk)} for c in criteria]


def _confirmed(rnd, judge, entry=None) -> set[tuple[int, int]]:
    scores = JudgeScore.objects.filter(entry__round=rnd, judge=judge, confirmed=True)
    if entry is not None:
        scores = scores.filter(entry=entry)
    return set(scores.values_list("entry_id", "criterion_id"))
