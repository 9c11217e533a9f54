"""统计分析: the dashboard page, every figure as JSON (/stats/api/<figure>.json) and as XLSX, and the
monthly report as PDF (/stats/report/<YYYY-MM>.pdf).

GET only. Who sees what: stats/permissions.py; filters: stats/filters.py; numbers: stats/selectors.py.
The URL scheme is documented in docs/statistics.md.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from courses.models import Provider
from organisations.models import Organisation

from . import pages, report, selectors
from .dimensions import BREAKDOWN_LABELS, METRICS
from .exports import table_xlsx
from .filters import MONTH, FilterError, parse_query
from .permissions import scope_for
from .report_pdf import report_pdf as report_pdf_render


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _period(query) -> str:
    return f"{query.start:%Y-%m}..{query.end:%Y-%m}"


def _figure(request, figure: str):
    """(query, table, refreshed_at) for a figure request, or raises FilterError."""
    scope = scope_for(request.user)
    if scope is None:
        raise FilterError(_("您无权查看统计"), status=403)
    if figure not in METRICS:
        raise FilterError(_("没有这项统计：%(name)s") % {"name": figure[:30]}, status=404)
    query, grain = parse_query(request.GET, scope=scope, metric=figure)
    refreshed_at, stamp = selectors.refresh_state()
    return query, pages.table(figure, query, grain, scope, stamp), refreshed_at


@require_GET
def figure_json(request, figure: str):
    try:
        query, table, refreshed_at = _figure(request, figure)
    except FilterError as error:
        return _error(error.message, error.status)
    payload = {
        **table,
        "period": _period(query),
        "filters": query.filters,
        "refreshed_at": refreshed_at,
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@require_GET
def overview_json(request):
    scope = scope_for(request.user)
    if scope is None:
        return _error(_("您无权查看统计"), 403)
    try:
        query, grain = parse_query(request.GET, scope=scope, metric=None)
    except FilterError as error:
        return _error(error.message, error.status)
    refreshed_at, stamp = selectors.refresh_state()
    payload = {
        **pages.overview(query, grain, scope, stamp),
        "period": _period(query),
        "filters": query.filters,
        "refreshed_at": refreshed_at,
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@require_GET
def figure_xlsx(request, figure: str):
    try:
        query, table, refreshed_at = _figure(request, figure)
    except FilterError as error:
        return _error(error.message, error.status)
    body = table_xlsx(table, period=_period(query), filters=query.filters, refreshed_at=refreshed_at)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"stats-{figure}-by-{query.by}-{query.start:%Y%m}-{query.end:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def dashboard(request):
    scope = scope_for(request.user)
    if scope is None:
        raise Http404
    figure = request.GET.get("figure") or "enrolments"
    params = request.GET.copy()
    params.pop("figure", None)
    # The filter form sends an empty select as "all"; its script leaves those out of the address,
    # and without the script (or before it has loaded) the page drops them here. The JSON stays strict.
    for name in [n for n, values in params.lists() if values == [""]]:
        del params[name]
    refreshed_at, stamp = selectors.refresh_state()
    try:
        part = pages.body(scope, figure, params, refreshed_at, stamp)
    except FilterError as error:
        html = pages.error_body(scope, figure, params, refreshed_at, stamp, error.message)
        status = error.status if error.status != 404 else 400
        return render(request, "stats/dashboard.html", {"body": mark_safe(html), "chart": False}, status=status)  # noqa: S308 - our own template's output
    # the statistics part was rendered from our own template (now or at an earlier request)
    return render(request, "stats/dashboard.html", {"body": mark_safe(part["html"]), "chart": part["chart"]})  # noqa: S308


PUBLIC_CACHE_KEY = "stats:public:v2:{year}:{stamp}"


@require_GET
def public(request):
    """The public headline figures (STATS_PUBLIC_PAGE, off by default: then there is no such page).

    Kept under the refresh's stamp, so a refresh shows its figures at once; STATS_PUBLIC_CACHE_SECONDS
    only bounds how long an unchanged answer stays in the cache."""
    if not settings.STATS_PUBLIC_PAGE:
        raise Http404
    today = timezone.localdate()
    refreshed_at, stamp = selectors.refresh_state()
    key = PUBLIC_CACHE_KEY.format(year=today.year, stamp=stamp or "none")
    numbers = cache.get(key)
    if numbers is None:
        numbers = {**selectors.public_figures(today), "refreshed_at": refreshed_at}
        cache.set(key, numbers, settings.STATS_PUBLIC_CACHE_SECONDS)
    figures = [{**f, "label": METRICS[f["figure"]].label} for f in numbers["figures"]]
    context = {"year": numbers["year"], "figures": figures, "refreshed_at": numbers["refreshed_at"]}
    return render(request, "stats/public.html", context)


# ------------------------------------------------------------------ the monthly report (PDF)

REPORT_PARAMS = pages.REPORT_PARAMS


def _report_month(text: str):
    """The first day of a closed month named `YYYY-MM`, or raises FilterError."""
    match = MONTH.match(text)
    if not match:
        raise FilterError(_("月份格式应为 YYYY-MM，例如 2026-03"))
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise FilterError(_("月份无效：%(month)s") % {"month": text})
    first = dt.date(year, month, 1)
    if first >= timezone.localdate().replace(day=1):
        raise FilterError(_("该月份尚未结束：月度统计报告在月份结束并生成统计快照后提供"))
    return first


def _report_labels(scope, filters: dict) -> tuple[str, str]:
    """How the report names its scope and its filters (a query for each name it shows)."""
    if scope.kind == "organiser":
        scope_label = _("全部数据")
    elif scope.kind == "provider":
        names = Provider.objects.filter(pk__in=scope.provider_ids).order_by("name").values_list("name", flat=True)
        scope_label = _("培训机构课程：%(names)s") % {"names": "、".join(names[:20])}
    else:
        names = Organisation.objects.filter(pk__in=scope.employer_ids).order_by("name").values_list("name", flat=True)
        scope_label = _("本单位职工：%(names)s") % {"names": "、".join(names[:20])}
    shown = []
    for dim, value in filters.items():
        label = selectors.label_of(dim, value, selectors.names_of(dim, [value]))
        shown.append(f"{BREAKDOWN_LABELS[dim]} {label}")
    return scope_label, "；".join(shown) or _("无")


@login_required
@require_GET
def report_pdf(request, month: str):
    """月度统计报告: one month's figures from its snapshot, as a printable PDF."""
    scope = scope_for(request.user)
    if scope is None:
        raise Http404
    try:
        first = _report_month(month[:20])
        unknown = sorted(set(request.GET) - REPORT_PARAMS)
        if unknown:
            raise FilterError(_("不支持的参数：%(names)s") % {"names": ", ".join(n[:20] for n in unknown[:5])})
        params = request.GET.copy()
        params["period"] = f"{first:%Y-%m}"
        query, _grain = parse_query(params, scope=scope, metric=None)
        snapshot = report.snapshot_for(first)
        if snapshot is None:
            raise FilterError(
                _("%(month)s 尚无月度统计快照，暂不能生成月度统计报告") % {"month": f"{first:%Y-%m}"}, 404
            )
    except FilterError as error:
        context = {"message": error.message, "month": month[:20]}
        return render(request, "stats/report_error.html", context, status=error.status)
    scope_label, filters_label = _report_labels(scope, query.filters)
    pdf = report_pdf_render(
        report.ReportRequest(month=first, filters=query.filters, scope=scope),
        snapshot,
        filters_label=filters_label,
        scope_label=scope_label,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="stats-report-{first:%Y-%m}.pdf"'
    response["Cache-Control"] = "private"
    return response
