"""统计分析: the dashboard page, every figure as JSON (/stats/api/<figure>.json) and as XLSX.

GET only. Who sees what: stats/permissions.py; filters: stats/filters.py; numbers: stats/selectors.py.
The URL scheme is documented in docs/statistics.md.
"""

import copy

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contests.models import Contest, Province
from courses.models import Provider

from . import selectors
from .dimensions import BREAKDOWN_LABELS, BREAKDOWNS, DRILLDOWN, LEVEL_LABELS, METRICS
from .exports import table_xlsx
from .filters import FilterError, parse_query
from .permissions import scope_for

INDUSTRY_CHOICES = "ABCDEFGHIJKLMNOPQRST"


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _period(query) -> str:
    return f"{query.start:%Y-%m}..{query.end:%Y-%m}"


def _table(figure: str, query, grain: str, scope, stamp: str) -> dict:
    return selectors.cached(
        stamp, scope, query, grain, f"table:{figure}", lambda: selectors.figure_table(figure, query, grain, scope)
    )


def _overview(query, grain: str, scope, stamp: str) -> dict:
    return selectors.cached(stamp, scope, query, grain, "overview", lambda: selectors.overview(query, grain, scope))


def _figure(request, figure: str):
    """(query, table, refreshed_at) for a figure request, or raises FilterError."""
    scope = scope_for(request.user)
    if scope is None:
        raise FilterError(_("您无权查看统计"), status=403)
    if figure not in METRICS:
        raise FilterError(_("没有这项统计：%(name)s") % {"name": figure[:30]}, status=404)
    query, grain = parse_query(request.GET, scope=scope, metric=figure)
    refreshed_at, stamp = selectors.refresh_state()
    return query, _table(figure, query, grain, scope, stamp), refreshed_at


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
        **_overview(query, grain, scope, stamp),
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


def _lists(scope) -> dict:
    providers = Provider.objects.order_by("name")
    if scope.kind == "provider":
        providers = providers.filter(pk__in=scope.provider_ids)
    return {
        "providers": list(providers.values_list("pk", "name")[:500]) if scope.kind != "manager" else [],
        "contests": list(Contest.objects.order_by("-year", "name").values_list("pk", "name")[:200])
        if scope.kind != "provider"
        else [],
    }


def _choices(scope, stamp: str) -> dict:
    # the filter lists are kept with the figures: a provider added since has no figures before the
    # next refresh either
    return {
        "provinces": Province.choices,
        "industries": INDUSTRY_CHOICES,
        "levels": [(k, v) for k, v in LEVEL_LABELS.items() if k],
        **selectors.cached(stamp, scope, None, "", "choices", lambda: _lists(scope)),
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
    refreshed_at, stamp = selectors.refresh_state()
    context = {"scope": scope, "figure": figure, "params": request.GET, "error": "", **_choices(scope, stamp)}
    context["refreshed_at"] = refreshed_at
    status = 200
    try:
        if figure not in METRICS:
            raise FilterError(_("没有这项统计：%(name)s") % {"name": figure[:30]})
        filters_only = params.copy()
        filters_only.pop("by", None)
        query, grain = parse_query(filters_only, scope=scope, metric=None)
        context["overview"] = _overview(query, grain, scope, stamp)
        query, grain = parse_query(params, scope=scope, metric=figure)
        context["table"] = copy.deepcopy(_table(figure, query, grain, scope, stamp))  # links are added below
        context["period"] = _period(query)
        context["by_label"] = BREAKDOWN_LABELS[query.by]
        context["query_string"] = params.urlencode()
        _add_links(context["table"], params, figure=figure, by=query.by)
    except FilterError as error:
        context["error"] = error.message
        status = error.status if error.status != 404 else 400
    return render(request, "stats/dashboard.html", context, status=status)
