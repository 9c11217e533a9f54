"""The pool's list (organisers) and an expert's page: organisers, the expert, and fellow judges of a
track (contact details masked for them)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organisations.selectors import organisation_for_text

from .. import selectors, services
from ..forms import ConflictForm, PoolFilterForm
from ..models import Expert
from ..permissions import can_declare_conflict, can_manage_pool, can_view_expert
from .common import error_page, messages_from, organiser_required, province_choices

PAGE_SIZE = 50


@organiser_required
@require_GET
def expert_list(request):
    form = PoolFilterForm(request.GET or None, provinces=province_choices())
    filters = form.filters()
    rows = selectors.expert_search(
        query=filters.get("q", ""),
        province=filters.get("province", ""),
        qualification=filters.get("qualification", ""),
        specialty=filters.get("specialty", ""),
        active_only=False,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    context = {"form": form, "page": page, "total": page.paginator.count, "query": f"{query}&" if query else ""}
    return render(request, "experts/expert_list.html", context)


@login_required
def expert_detail(request, pk: int):
    expert = get_object_or_404(Expert.objects.select_related("organisation", "province", "city", "user"), pk=pk)
    if not can_view_expert(request.user, expert):
        return error_page(request, _("未找到该专家"), 404)
    may_declare = can_declare_conflict(request.user, expert)
    form = ConflictForm()
    if request.method == "POST":
        if not may_declare:
            return error_page(request, _("只有组织者或专家本人可以申报回避"), 403)
        form = ConflictForm(request.POST)
        if form.is_valid():
            try:
                _declare(request, expert, form.cleaned_data)
                messages.success(request, _("回避申报已登记"))
                return redirect("experts:detail", pk=expert.pk)
            except (ValidationError, PermissionDenied) as exc:
                messages_from(request, exc)
    context = {
        "expert": expert,
        "contacts": selectors.expert_contacts(expert, request.user),
        "history": selectors.expert_history(expert),
        "conflicts": expert.conflicts.select_related("organisation", "user", "registration__track")
        if may_declare
        else [],
        "may_declare": may_declare,
        "may_manage": can_manage_pool(request.user),
        "form": form,
    }
    return render(request, "experts/expert_detail.html", context)


def _declare(request, expert: Expert, data: dict) -> None:
    organisation = user = None
    if data["organisation"]:
        organisation = organisation_for_text(data["organisation"])
        if organisation is None:
            raise ValidationError(_("单位库中没有“%(org)s”，请写出单位全称") % {"org": data["organisation"]})
    if data["username"] and can_manage_pool(request.user):  # nobody else learns which accounts exist
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            raise ValidationError(_("没有账号为“%(name)s”的用户") % {"name": data["username"]})
    services.conflict_declare(
        expert=expert, by=request.user, reason=data["reason"], organisation=organisation, user=user
    )
