"""A track's judges, chosen from the pool by whoever runs its contest (organisers; an enterprise
技术比武's training managers, contests.permissions.can_manage_track): search and filters, each
candidate's recusal reasons (回避), assign, remove, and the chief judge (裁判长)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contests.models import Track, TrackJudge
from contests.permissions import can_manage_track, may_run_contests

from .. import selectors, services
from ..forms import PoolFilterForm
from ..models import Expert
from ..permissions import can_manage_pool, viewable_expert_ids
from .common import error_page, messages_from, province_choices


@login_required
def track_judges(request, track_id: int):
    if not may_run_contests(request.user):
        return error_page(request, _("只有组织者可以访问专家库"), 403)
    if not can_manage_track(request.user, track_id):
        raise Http404  # another contest's track is not found, as if it did not exist
    track = get_object_or_404(Track.objects.select_related("contest"), pk=track_id)
    if request.method == "POST":
        return _post(request, track)
    form = PoolFilterForm(request.GET or None, provinces=province_choices())
    filters = form.filters()
    experts = selectors.expert_search(
        query=filters.get("q", ""),
        province=filters.get("province", ""),
        qualification=filters.get("qualification", ""),
        specialty=filters.get("specialty", ""),
    )
    judges = selectors.track_judges(track)
    candidates = selectors.pool_candidates(track, experts, available_only=bool(filters.get("available")))
    shown = [row["expert"] for row in judges if row["expert"]] + [c.expert for c in candidates]
    context = {
        "track": track,
        "form": form,
        "judges": judges,
        "candidates": candidates,
        # An enterprise manager runs the track but not the pool: no link to a page that refuses them.
        "may_manage_pool": can_manage_pool(request.user),
        "viewable": viewable_expert_ids(request.user, shown),
    }
    return render(request, "experts/track_judges.html", context)


def _post(request, track: Track):
    action = request.POST.get("action", "")
    try:
        if action == "assign":
            expert = get_object_or_404(Expert, pk=_int(request.POST.get("expert")))
            services.pool_assign(track=track, expert=expert, by=request.user)
            messages.success(request, _("已指派评委：%(name)s") % {"name": expert.name})
        elif action in ("unassign", "chief"):
            assignment = get_object_or_404(
                TrackJudge.objects.select_related("judge"), track=track, judge_id=_int(request.POST.get("judge"))
            )
            if action == "unassign":
                services.pool_unassign(track=track, judge=assignment.judge, by=request.user)
                messages.success(request, _("已取消评委：%(name)s") % {"name": assignment.judge.display_name})
            else:
                services.chief_judge_set(track=track, judge=assignment.judge, by=request.user)
                messages.success(request, _("已指定裁判长：%(name)s") % {"name": assignment.judge.display_name})
        elif action == "chief_clear":
            services.chief_judge_clear(track=track, by=request.user)
            messages.success(request, _("已取消裁判长"))
        else:
            return error_page(request, _("未知操作"), 400)
    except (ValidationError, PermissionDenied) as exc:
        messages_from(request, exc)
    return redirect(request.get_full_path())


def _int(value) -> int:
    """An id from a form: a forged or huge one finds nothing (404), never a 500."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0
