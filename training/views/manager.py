"""The training manager's pages: the console's home, the roster (list, add, mark left), file imports
(upload → preview → confirm), the template and the downloads, and the providers granted access.
Every view finds its organisation through views.access (a 404 for anyone else) and writes through
training.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import Provider

from .. import roster_files, selectors, services
from ..forms import ImportConfirmForm, PartnerGrantForm, RosterEntryForm, RosterUploadForm
from ..models import RosterEntry, RosterImport, RosterImportStatus, RosterStatus, TrainingPartner
from ..permissions import may_use_training
from ..reports import query_text
from ..roster_import import ACTION_LABELS, Action, plan_rows
from .access import errors_text, roster_organisation

PAGE_SIZE = 50
PREVIEW_PAGE_SIZE = 100


def invitation_link(request, entry) -> str:
    return request.build_absolute_uri(reverse("training:invitation", args=[entry.invitation_token]))


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def index(request):
    if not may_use_training(request.user):
        raise Http404
    return render(request, "training/index.html", selectors.console_home(request.user))


# ------------------------------------------------------------------ roster


@login_required
@require_GET
def roster(request, org_id: int):
    organisation = roster_organisation(request, org_id)
    filters = {key: query_text(request.GET, key) for key in ("q", "department", "job", "status")}
    entries = selectors.roster_search(
        organisation,
        query=filters["q"],
        department=filters["department"],
        job=filters["job"],
        status=filters["status"],
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.link = invitation_link(request, entry) if entry.invitation_token else ""
    context = {
        "organisation": organisation,
        "page": page,
        "filters": filters,
        "query_string": urlencode({k: v for k, v in filters.items() if v}),
        "statuses": RosterStatus.choices,
        **selectors.roster_facets(organisation),
    }
    return render(request, "training/roster.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roster_add(request, org_id: int):
    organisation = roster_organisation(request, org_id)
    form = RosterEntryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = services.roster_entry_add(organisation=organisation, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if entry.status == RosterStatus.ACTIVE:
                    messages.success(request, _("已加入名册，并关联到实名认证的账号：%(name)s") % {"name": entry.name})
                else:
                    messages.success(
                        request,
                        _("已加入名册：%(name)s。请把邀请链接发给本人：%(link)s")
                        % {"name": entry.name, "link": invitation_link(request, entry)},
                    )
                return redirect("training:roster", org_id=organisation.pk)
        status = 400
    return render(request, "training/roster_add.html", {"organisation": organisation, "form": form}, status=status)


@login_required
@require_POST
def roster_leave(request, org_id: int, pk: int):
    organisation = roster_organisation(request, org_id)
    entry = get_object_or_404(RosterEntry, pk=pk, organisation=organisation)
    try:
        services.roster_entry_leave(entry=entry, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("已标记离开：%(name)s") % {"name": entry.name})
    back = reverse("training:roster", args=[organisation.pk])
    return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)


@login_required
@require_GET
def roster_invitations(request, org_id: int):
    """The invited workers with their links, as a workbook to send them by SMS or a chat group."""
    organisation = roster_organisation(request, org_id)
    entries = RosterEntry.objects.filter(
        organisation=organisation, status=RosterStatus.INVITED, invitation_token__isnull=False
    ).order_by("department", "name")
    data = roster_files.invitations_xlsx(entries.iterator(), lambda entry: invitation_link(request, entry))
    return _download(data, roster_files.XLSX, "roster-invitations.xlsx")


@login_required
@require_GET
def roster_template(request, ext: str):
    if not may_use_training(request.user) or ext not in ("xlsx", "csv"):
        raise Http404
    if ext == "xlsx":
        return _download(roster_files.template_xlsx(), roster_files.XLSX, "roster-template.xlsx")
    return _download(roster_files.template_csv(), roster_files.CSV, "roster-template.csv")


# ------------------------------------------------------------------ imports


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request, org_id: int):
    organisation = roster_organisation(request, org_id)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                created = services.roster_import_create(
                    organisation=organisation, by=request.user, file_name=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect("training:roster_import_preview", org_id=organisation.pk, pk=created.pk)
        status = 400
    recent = RosterImport.objects.filter(organisation=organisation).order_by("-created_at")[:10]
    context = {"organisation": organisation, "form": form, "recent": recent}
    return render(request, "training/import_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def roster_import_preview(request, org_id: int, pk: int):
    """GET: each row with what confirming would do. POST: confirm (all rows, or only the valid ones
    when the manager ticked that; never a silent skip)."""
    organisation = roster_organisation(request, org_id)
    roster_import = get_object_or_404(RosterImport, pk=pk, organisation=organisation)
    if roster_import.status == RosterImportStatus.APPLIED:
        return render(request, "training/import_done.html", {"organisation": organisation, "import": roster_import})
    form = ImportConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                counts = services.roster_import_apply(
                    roster_import=roster_import,
                    by=request.user,
                    fingerprint=form.cleaned_data["fingerprint"],
                    accept_partial=form.cleaned_data["accept_partial"],
                )
            except ValidationError as exc:
                messages.error(request, errors_text(exc))
            else:
                messages.success(
                    request,
                    _(
                        "导入完成：新增并邀请 %(invite)s 人，匹配已有账号 %(match)s 人，更新 %(update)s 人，重新加入 %(rejoin)s 人"
                    )
                    % counts,
                )
                return redirect("training:roster_import_preview", org_id=organisation.pk, pk=roster_import.pk)
        status = 400
    plan = plan_rows(organisation, roster_import.rows)
    action = request.GET.get("action", "")
    rows = [r for r in plan.rows if r.action == action] if action in ACTION_LABELS else plan.errors + plan.writes
    if action not in ACTION_LABELS:
        rows += [r for r in plan.rows if r.action == Action.SAME]
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "import": roster_import,
        "plan": plan,
        "counts": [(key, label, plan.counts[key]) for key, label in ACTION_LABELS.items()],
        "action": action,
        "page": page,
        "query_string": urlencode({"action": action}) if action in ACTION_LABELS else "",
        "form": ImportConfirmForm(initial={"fingerprint": plan.fingerprint}),
    }
    return render(request, "training/import_preview.html", context, status=status)


@login_required
@require_GET
def roster_import_errors(request, org_id: int, pk: int):
    """The rows an import cannot take, with the reason, in the template's columns (fix, upload again)."""
    organisation = roster_organisation(request, org_id)
    roster_import = get_object_or_404(RosterImport, pk=pk, organisation=organisation)
    plan = plan_rows(organisation, roster_import.rows)
    return _download(roster_files.error_rows_xlsx(plan), roster_files.XLSX, "roster-errors.xlsx")


# ------------------------------------------------------------------ partners


@login_required
@require_http_methods(["GET", "POST"])
def partners(request, org_id: int):
    organisation = roster_organisation(request, org_id)
    grants = TrainingPartner.objects.filter(organisation=organisation).select_related(
        "provider", "granted_by", "withdrawn_by"
    )
    current = {g.provider_id for g in grants if g.withdrawn_at is None}
    form = PartnerGrantForm(request.POST or None, providers=Provider.objects.exclude(pk__in=current).order_by("name"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            provider = form.cleaned_data["provider"]
            try:
                services.training_partner_grant(organisation=organisation, provider=provider, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已授权 %(provider)s 为本单位承办培训班") % {"provider": provider.name})
                return redirect("training:partners", org_id=organisation.pk)
        status = 400
    context = {"organisation": organisation, "grants": grants, "form": form}
    return render(request, "training/partners.html", context, status=status)


@login_required
@require_POST
def partner_withdraw(request, org_id: int, pk: int):
    organisation = roster_organisation(request, org_id)
    grant = get_object_or_404(TrainingPartner, pk=pk, organisation=organisation)
    try:
        services.training_partner_withdraw(partner=grant, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("已撤销对 %(provider)s 的授权") % {"provider": grant.provider.name})
    return redirect("training:partners", org_id=organisation.pk)
