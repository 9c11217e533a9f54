"""The judge's console: a track's judges enter and confirm practical scores, entry by entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..models import Criterion, CriterionResult, Entry, JudgeScore, RoundStatus
from ..permissions import can_judge_track
from .common import error_page, messages_from, round_or_404


@login_required
def judge_console(request, round_id: int):
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
    if request.method == "POST":
        current = next((e for e in entries if str(e.pk) == request.POST.get("entry", "")), None)
        criterion = next((c for c in criteria if str(c.pk) == request.POST.get("criterion", "")), None)
        if current is None or criterion is None:
            return error_page(request, _("选手或评分项不存在"), 404)
        try:
            if request.POST.get("action") == "confirm":
                services.judge_score_confirm(judge=request.user, entry=current, criterion=criterion)
                messages.success(request, _("已确认：%(c)s") % {"c": criterion.title})
            else:
                services.judge_score_submit(
                    judge=request.user,
                    entry=current,
                    criterion=criterion,
                    value=request.POST.get("value", ""),
                    confirm=request.POST.get("action") == "submit_confirm",
                )
                messages.success(request, _("已保存：%(c)s") % {"c": criterion.title})
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        return redirect(f"{request.path}?entry={current.pk}")
    rows = []
    if current is not None:
        mine = {s.criterion_id: s for s in JudgeScore.objects.filter(entry=current, judge=request.user)}
        results = {r.criterion_id: r for r in CriterionResult.objects.filter(entry=current)}
        rows = [{"criterion": c, "score": mine.get(c.pk), "result": results.get(c.pk)} for c in criteria]
    scored = set(
        JudgeScore.objects.filter(entry__round=rnd, judge=request.user, confirmed=True).values_list(
            "entry_id", "criterion_id"
        )
    )
    progress = {e.pk: sum(1 for c in criteria if (e.pk, c.pk) in scored) for e in entries}
    context = {
        "round": rnd,
        "entries": entries,
        "current": current,
        "rows": rows,
        "criteria_count": len(criteria),
        "progress": progress,
        "can_score": rnd.status in (RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED),
    }
    return render(request, "contests/judge_console.html", context)
