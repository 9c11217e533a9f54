"""The learner's side of the registry (declaring an employer, with search as you type) and the
reviewers' page for proposals. Organisers edit the registry in the Wagtail admin (wagtail_hooks)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import is_organiser, managed_organisation_ids

from . import selectors, services
from .forms import ProposalForm, ReviewForm
from .models import Organisation, OrganisationStatus

# Search requests one account may make a minute (typing sends one per pause, not per key).
SEARCH_PER_MINUTE = 120


def _over_limit(user) -> bool:
    key = f"organisations:search:{user.pk}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) > SEARCH_PER_MINUTE
    except ValueError:  # expired between add and incr
        return False


@login_required
@require_GET
def search(request):
    """`?q=…` → at most 20 active organisations (and the user's own proposals) as JSON."""
    if _over_limit(request.user):
        return JsonResponse({"error": _("查询过于频繁，请稍后再试")}, status=429)
    found = selectors.organisation_search(user=request.user, query=request.GET.get("q", ""))
    return JsonResponse({"results": [selectors.organisation_json(o) for o in found]})


@login_required
@require_http_methods(["GET", "POST"])
def employer(request):
    """我的工作单位: choose the employer from the registry, or propose one it lacks."""
    query = request.GET.get("q", "")[: selectors.QUERY_MAX]
    proposal = ProposalForm(request.POST if request.POST.get("action") == "propose" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "declare":
                pk = request.POST.get("organisation", "")
                organisation = Organisation.objects.visible_to(request.user).filter(
                    pk=int(pk) if pk.isdigit() else None
                )
                services.employment_declare(user=request.user, organisation=get_object_or_404(organisation))
                messages.success(request, _("工作单位已保存"))
                return redirect("organisations:employer")
            if action == "clear":
                services.employment_clear(user=request.user)
                messages.success(request, _("已清除登记的工作单位"))
                return redirect("organisations:employer")
            if action == "propose" and proposal.is_valid():
                services.organisation_propose(user=request.user, **proposal.service_fields())
                messages.success(request, _("已提交新单位，审核通过前显示为“待审核”"))
                return redirect("organisations:employer")
        except ValidationError as exc:
            if action == "propose":
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        for error in errors:
                            proposal.add_error(field if field in proposal.fields else None, error)
                else:
                    proposal.add_error(None, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        status = 400
    context = {
        "employment": selectors.employment_of(request.user),
        "query": query,
        "results": selectors.organisation_search(user=request.user, query=query) if query else [],
        "proposal": proposal,
    }
    return render(request, "organisations/employer.html", context, status=status)


def _may_review_any(user) -> bool:
    return is_organiser(user) or bool(managed_organisation_ids(user))


def _refused(request):
    """The 403 the other apps answer (their 「无法完成操作」 page); a raised PermissionDenied would
    show the bare 403 page and be logged with a traceback, as if something had gone wrong."""
    message = _("只有组织者和单位管理员可以审核单位")
    return render(request, "organisations/error.html", {"message": message}, status=403)


@login_required
@require_GET
def review_list(request):
    if not _may_review_any(request.user):
        return _refused(request)
    proposals = selectors.proposals_for(request.user)
    return render(request, "organisations/review.html", {"proposals": proposals, "form": ReviewForm()})


@login_required
@require_POST
def review_decide(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk, status=OrganisationStatus.PROPOSED)
    if not services.can_review(request.user, organisation):
        return _refused(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果"))
        return redirect("organisations:review")
    try:
        services.organisation_review(
            organisation=organisation,
            reviewer=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已审核：%(name)s") % {"name": organisation.name})
    return redirect("organisations:review")
