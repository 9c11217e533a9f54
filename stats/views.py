"""统计分析: the dashboard page, every figure as JSON (/stats/api/<figure>.json) and as XLSX.

GET only. Who sees what: stats/permissions.py; filters: stats/filters.py; numbers: stats/selectors.py.
The URL scheme is documented in docs/statistics.md.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contests.models import Contest, Province
from courses.models import Provider

from . import selectors
from .charts import chart_spec
from .dimensions import BREAKDOWN_LABELS, BREAKDOWNS, DRILLDOWN, LEVEL_LABELS, METRICS
from .exports import table_xlsx
from .filters import FilterError, parse_query
from .permissions import scope_for

INDUSTRY_CHOICES = "ABCDEFGHIJKLMNOPQRST"


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _period(query) -> str:
    return f"{query.start:%Y-%m}..{query.end:%Y-%m}"


def _figure(request, figure: str):
    """(scope, query, table) for a figure request, or raises FilterError."""
    scope = scope_for(request.user)
    if scope is None:
        raise FilterError(_("您无权查看统计"), status=403)
    if figure not in METRICS:
        raise FilterError(_("没有这项统计：%(name)s") % {"name": figure[:30]}, status=404)
    query, grain = parse_query(request.GET, scope=scope, metric=figure)
    return query, selectors.figure_table(figure, query, grain, scope)


@require_GET
def figure_json(request, figure: str):
    try:
        query, table = _figure(request, figure)
    except FilterError as error:
        return _error(error.message, error.status)
    payload = {
        **table,
        "period": _period(query),
        "filters": query.filters,
        "refreshed_at": selectors.refreshed_at(),
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
    payload = {
        **selectors.overview(query, grain, scope),
        "period": _period(query),
        "filters": query.filters,
        "refreshed_at": selectors.refreshed_at(),
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@require_GET
def figure_xlsx(request, figure: str):
    try:
        query, table = _figure(request, figure)
    except FilterError as error:
        return _error(error.message, error.status)
    body = table_xlsx(table, period=_period(query), filters=query.filters, refreshed_at=selectors.refreshed_at())
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"stats-{figure}-by-{query.by}-{query.start:%Y%m}-{query.end:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _choices(scope) -> dict:
    providers = Provider.objects.order_by("name")
    if scope.kind == "provider":
        providers = providers.filter(pk__in=scope.provider_ids)
    return {
        "provinces": Province.choices,
        "industries": INDUSTRY_CHOICES,
        "levels": [(k, v) for k, v in LEVEL_LABELS.items() if k],
        "providers": list(providers.values_list("pk", "name")[:500]) if scope.kind != "manager" else [],
        "contests": list(Contest.objects.order_by("-year", "name").values_list("pk", "name")[:200])
        if scope.kind != "provider"
        else [],
        "figures": [(code, m.label) for code, m in METRICS.items()],
        "breakdowns": [(b, BREAKDOWN_LABELS[b]) for b in BREAKDOWNS],
    }


def _add_links(table: dict, params, *, figure: str, by: str) -> None:
    """Each row's drill-down link (province → city, provider → course, contest → track)."""
    drill = DRILLDOWN.get(by)
    for row in table["rows"]:
        if drill and row["key"] not in ("", 0):
            link = params.copy()
            link[by] = str(row["key"])
            link["by"] = drill
            link["figure"] = figure
            row["drill_url"] = "?" + link.urlencode()


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
    context = {"scope": scope, "figure": figure, "params": request.GET, "error": "", **_choices(scope)}
    status = 200
    try:
        if figure not in METRICS:
            raise FilterError(_("没有这项统计：%(name)s") % {"name": figure[:30]})
        filters_only = params.copy()
        filters_only.pop("by", None)
        query, grain = parse_query(filters_only, scope=scope, metric=None)
        context["overview"] = selectors.overview(query, grain, scope)
        query, grain = parse_query(params, scope=scope, metric=figure)
        context["table"] = selectors.figure_table(figure, query, grain, scope)
        context["period"] = _period(query)
        context["by_label"] = BREAKDOWN_LABELS[query.by]
        context["query_string"] = params.urlencode()
        _add_links(context["table"], params, figure=figure, by=query.by)
        context["chart"] = chart_spec(context["table"], unit_hours=_("小时"), unit_count=_("数量"))
    except FilterError as error:
        context["error"] = error.message
        status = error.status if error.status != 404 else 400
    context["refreshed_at"] = selectors.refreshed_at()
    return render(request, "stats/dashboard.html", context, status=status)


PUBLIC_CACHE_KEY = "stats:public:v1:{year}"


@require_GET
def public(request):
    """The public headline figures (STATS_PUBLIC_PAGE, off by default: then there is no such page)."""
    if not settings.STATS_PUBLIC_PAGE:
        raise Http404
    today = timezone.localdate()
    key = PUBLIC_CACHE_KEY.format(year=today.year)
    numbers = cache.get(key)
    if numbers is None:
        numbers = {**selectors.public_figures(today), "refreshed_at": selectors.refreshed_at()}
        cache.set(key, numbers, settings.STATS_PUBLIC_CACHE_SECONDS)
    figures = [{**f, "label": METRICS[f["figure"]].label} for f in numbers["figures"]]
    context = {"year": numbers["year"], "figures": figures, "refreshed_at": numbers["refreshed_at"]}
    return render(request, "stats/public.html", context)
