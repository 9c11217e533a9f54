"""The dashboard page's statistics part (the filter form, the overview, the figure's table and chart),
rendered once per refresh and kept as HTML.

Everything in that part follows from the refresh stamp, the viewer's scope, the request's (already
checked) parameters and the language, so it is cached under exactly those (`selectors.cached`): a
repeated request renders only the site's frame around it. The refresh task warms the organiser's
unfiltered page (`warm_organiser_pages`) so the first viewer after a refresh does not pay for it.
"""

import copy
import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contests.models import Contest, Province
from courses.models import Provider

from . import selectors
from .charts import chart_spec
from .dimensions import BREAKDOWN_LABELS, BREAKDOWNS, DRILLDOWN, LEVEL_LABELS, METRICS
from .filters import FilterError, parse_query
from .permissions import Scope

INDUSTRY_CHOICES = "ABCDEFGHIJKLMNOPQRST"
REPORT_PARAMS = {"province", "industry", "level", "provider"}
BODY_TEMPLATE = "stats/includes/dashboard_body.html"


def table(figure: str, query, grain: str, scope, stamp: str) -> dict:
    return selectors.cached(
        stamp, scope, query, grain, f"table:{figure}", lambda: selectors.figure_table(figure, query, grain, scope)
    )


def overview(query, grain: str, scope, stamp: str) -> dict:
    return selectors.cached(stamp, scope, query, grain, "overview", lambda: selectors.overview(query, grain, scope))


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


def choices(scope, stamp: str) -> dict:
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


def _report_link(query, params) -> tuple[str, str]:
    """The monthly report of the period's last closed month, with the filters a report takes."""
    month = min(query.end, (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1))
    kept = {name: params[name] for name in sorted(REPORT_PARAMS) if params.get(name)}
    url = reverse("stats:report_pdf", args=[f"{month:%Y-%m}"])
    return f"{month:%Y-%m}", url + ("?" + urlencode(kept) if kept else "")


def _base_context(scope: Scope, figure: str, params, refreshed_at, stamp: str) -> dict:
    shown = params.copy()  # what the form shows as chosen
    shown["figure"] = figure
    return {
        "scope": scope,
        "figure": figure,
        "params": shown,
        "error": "",
        "refreshed_at": refreshed_at,
        **choices(scope, stamp),
    }


def error_body(scope: Scope, figure: str, params, refreshed_at, stamp: str, message: str) -> str:
    """The form and the message of a refused request (not cached: its parameters did not pass)."""
    context = {**_base_context(scope, figure, params, refreshed_at, stamp), "error": message}
    return render_to_string(BODY_TEMPLATE, context)


def body(scope: Scope, figure: str, params, refreshed_at, stamp: str) -> dict:
    """{"html", "chart"} of the page's statistics part for `figure` and the other `params` (a
    QueryDict without empty values); raises FilterError for parameters that do not pass."""
    if figure not in METRICS:
        raise FilterError(_("没有这项统计：%(name)s") % {"name": figure[:30]})
    filters_only = params.copy()
    filters_only.pop("by", None)
    overview_query, overview_grain = parse_query(filters_only, scope=scope, metric=None)
    query, grain = parse_query(params, scope=scope, metric=figure)
    # every parameter has passed now, so the keys are those of valid requests only
    # the default period and the report link follow today's month, so the key holds the resolved period
    name = f"page:{figure}:{refreshed_at}:{query.start}..{query.end}:{timezone.localdate():%Y-%m}:"
    name += urlencode(sorted(params.items()))

    def render() -> dict:
        context = _base_context(scope, figure, params, refreshed_at, stamp)
        context["overview"] = overview(overview_query, overview_grain, scope, stamp)
        context["report_month"], context["report_url"] = _report_link(overview_query, filters_only)
        context["table"] = copy.deepcopy(table(figure, query, grain, scope, stamp))  # links are added below
        context["period"] = f"{query.start:%Y-%m}..{query.end:%Y-%m}"
        context["by_label"] = BREAKDOWN_LABELS[query.by]
        context["query_string"] = params.urlencode()
        _add_links(context["table"], params, figure=figure, by=query.by)
        context["chart"] = chart_spec(context["table"], unit_hours=_("小时"), unit_count=_("数量"))
        return {"html": render_to_string(BODY_TEMPLATE, context), "chart": bool(context["chart"]["points"])}

    return selectors.cached(stamp, scope, None, "", name, render)


def warm_organiser_pages() -> int:
    """Render the organiser's unfiltered dashboard (the page /stats/ opens on) in every language, so
    the first request after a refresh reads it from the cache; returns the pages rendered."""
    from django.http import QueryDict

    refreshed_at, stamp = selectors.refresh_state()
    if not stamp:
        return 0
    scope = Scope(kind="organiser")
    done = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            body(scope, "enrolments", QueryDict(), refreshed_at, stamp)
            done += 1
    return done
