"""The employer's reports (GET only): the index of visible classes, the class report with its XLSX,
the worker report, the yearly summary (年度学时汇总) with its XLSX, and the whole enterprise's XLSX.

Who sees what (training/permissions.py): a class and its report, the training managers of its
organisation, the staff of the provider running it and organisers; a worker, whoever sees one of
the worker's classes (only those classes are shown) or manages the worker's organisation; the
organisation-wide reports, its training managers and organisers. Anything else is a 404.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from organisations.models import Organisation

from .. import exports, reports, yearly
from ..models import RosterEntry
from ..permissions import can_manage_roster, classes_visible_to, may_use_training

SORTABLE = ("name", "department", "job", "progress", "hours", "credited")


def _xlsx(sheets, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.xlsx_stream(sheets), content_type=exports.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _class_or_404(request, class_id: int):
    visible = classes_visible_to(request.user).select_related("organisation", "provider")
    return get_object_or_404(visible, pk=class_id)


def _organisation_or_404(request, organisation_id: int) -> Organisation:
    if not can_manage_roster(request.user, organisation_id):
        raise Http404
    return get_object_or_404(Organisation, pk=organisation_id)


def _page(request, queryset):
    paginator = Paginator(queryset, reports.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return paginator, page, list(paginator.get_elided_page_range(page.number))


@login_required
@require_GET
def index(request):
    if not may_use_training(request.user):
        raise Http404
    paginator, page, page_range = _page(request, reports.visible_classes(request.user))
    context = {
        "page": page,
        "paginator": paginator,
        "page_range": page_range,
        "organisations": reports.reportable_organisations(request.user),
        "today": reports.today(),
    }
    return render(request, "training/reports/index.html", context)


@login_required
@require_GET
def class_report(request, class_id: int):
    training_class = _class_or_404(request, class_id)
    filters = reports.Filters.from_query(request.GET)
    report = reports.ClassReport(training_class, filters)
    paginator, page, page_range = _page(request, report.filtered())
    departments, jobs = report.choices()
    params = filters.params()
    sort_links = {}
    for key in SORTABLE:
        target = f"-{key}" if filters.sort == key else key
        sort_links[key] = {
            "url": "?" + urlencode({**params, "sort": target}),
            "current": filters.sort.lstrip("-") == key,
            "descending": filters.sort == f"-{key}",
        }
    context = {
        "training_class": training_class,
        "report": report,
        "summary": report.summary(),
        "rows": report.rows(page.object_list),
        "page": page,
        "paginator": paginator,
        "page_range": page_range,
        "querystring": urlencode(params),
        "filters": filters,
        "departments": departments,
        "jobs": jobs,
        "statuses": reports.STATUS_LABELS,
        "sort_links": sort_links,
        "may_see_organisation": can_manage_roster(request.user, training_class.organisation_id),
    }
    return render(request, "training/reports/class.html", context)


@login_required
@require_GET
def class_export(request, class_id: int):
    training_class = _class_or_404(request, class_id)
    report = reports.ClassReport(training_class, reports.Filters.from_query(request.GET))
    return _xlsx(exports.class_sheets(report), f"{training_class.name}-学习报表.xlsx")


@login_required
@require_GET
def worker_report(request, entry_id: int):
    entry = get_object_or_404(RosterEntry.objects.select_related("organisation"), pk=entry_id)
    classes = reports.worker_classes(entry, request.user)
    if classes is None:
        raise Http404
    context = {"entry": entry, "classes": classes}
    return render(request, "training/reports/worker.html", context)


def _year(request, organisation) -> tuple[int, list[int]]:
    choices = yearly.year_choices(organisation)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = choices[0]
    return (year if year in choices else choices[0]), choices


@login_required
@require_GET
def year_summary(request, organisation_id: int):
    organisation = _organisation_or_404(request, organisation_id)
    year, years = _year(request, organisation)
    q = reports.query_text(request.GET, "q", 50)
    department = reports.query_text(request.GET, "department")
    entries = yearly.year_entries(organisation, q=q, department=department)
    paginator, page, page_range = _page(request, entries)
    departments = sorted(
        d
        for d in RosterEntry.objects.filter(organisation=organisation)
        .values_list("department", flat=True)
        .distinct()
        .order_by()
        if d
    )
    params = {k: v for k, v in {"year": year, "q": q, "department": department}.items() if v}
    context = {
        "organisation": organisation,
        "year": year,
        "years": years,
        "q": q,
        "department": department,
        "departments": departments,
        "rows": yearly.year_rows(organisation, page.object_list, year),
        "page": page,
        "paginator": paginator,
        "page_range": page_range,
        "querystring": urlencode(params),
    }
    return render(request, "training/reports/year.html", context)


@login_required
@require_GET
def year_export(request, organisation_id: int):
    organisation = _organisation_or_404(request, organisation_id)
    year, _years = _year(request, organisation)
    entries = yearly.year_entries(organisation)
    return _xlsx(exports.year_sheets(organisation, year, entries), f"{organisation.name}-{year}年度学时汇总.xlsx")


@login_required
@require_GET
def enterprise_export(request, organisation_id: int):
    organisation = _organisation_or_404(request, organisation_id)
    return _xlsx(exports.enterprise_sheets(organisation), f"{organisation.name}-培训明细.xlsx")
