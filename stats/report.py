"""The figures of the printable monthly report (月度统计报告), read from the monthly snapshots only.

A report of a month is a function of its snapshot (and of the snapshots of the eleven months before
it and of the same month a year before): the live cells are never read, so a record changed after the
snapshot does not move a figure already filed upward. Scope, grains and the "<5" rule are the
dashboard's (stats/permissions.py, stats/dimensions.py); every number leaves through
`selectors.present`. A fixed number of queries whatever the data size.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from . import charts_svg, disclosure
from .dimensions import BREAKDOWN_LABELS, COLUMNS, METRICS, SMALL_CELL, grain_for
from .disclosure import cells, complements, recoverable
from .filters import Query
from .models import SnapshotCell, StatSnapshot
from .permissions import Scope
from .selectors import applicable_metrics, label_of, months_before, names_of, present

TREND_MONTHS = 12
# The columns of the breakdown tables, and the charted one (the first that applies).
COURSE_COLUMNS = ("enrolments", "completions", "credited", "certificates")
CONTEST_COLUMNS = ("registrations", "participants", "awards")
TREND_LINES = ("enrolments", "completions", "certificates", "registrations")
LEVEL_ORDER = (5, 4, 3, 2, 1, 0)  # 五级 … 一级, then 未分级
MAX_ROWS = 40  # a section lists at most this many rows (the largest first); its total counts them all


@dataclass(frozen=True)
class ReportRequest:
    month: dt.date
    filters: dict
    scope: Scope


def snapshot_for(month: dt.date) -> StatSnapshot | None:
    return StatSnapshot.objects.filter(month=month).first()


def _main(shown: dict | None):
    """The number a report prints for a figure: its hours for a sum metric, else its count."""
    if shown is None:
        return None
    return shown.get("hours", shown["count"])


def _change(current, before) -> str:
    if not isinstance(current, int | float) or not isinstance(before, int | float) or before <= 0:
        return "—"
    return f"{(current - before) / before * 100:+.1f}%"


def _metric_label(code: str) -> str:
    label = str(METRICS[code].label)
    return _("%(label)s（小时）") % {"label": label} if METRICS[code].amount else label


def _query(request: ReportRequest, start: dt.date) -> Query:
    return Query(start=start, end=request.month, by="month", filters=request.filters)


# ------------------------------------------------------------------ headline and trend


def _months(request: ReportRequest) -> list[dt.date]:
    return [months_before(request.month, n) for n in range(TREND_MONTHS - 1, -1, -1)]


def headline_and_trend(request: ReportRequest) -> dict:
    """The month's figures against 上月 and 去年同月, and the twelve months to the report month — all
    from snapshots (a month without one shows "—"). Two queries."""
    months = _months(request)
    year_ago = months_before(request.month, 12)
    taken = dict(StatSnapshot.objects.filter(month__in=[*months, year_ago]).values_list("month", "pk"))
    grain = grain_for(scope_kind=request.scope.kind, wanted=set(request.filters) | {"month"})
    query = _query(request, year_ago)
    metrics = applicable_metrics(query, grain) if grain else []
    sums: dict = {month: dict.fromkeys(metrics, (0, 0)) for month in taken}
    if metrics:
        qs = cells(query, grain, request.scope, model=SnapshotCell).filter(
            snapshot_id__in=taken.values(), metric__in=metrics
        )
        for row in qs.values("month", "metric").annotate(n=Sum("count"), s=Sum("amount")).order_by():
            sums[row["month"]][row["metric"]] = (row["n"] or 0, row["s"] or 0)
    suppress = request.scope.suppresses_small_cells
    # each month as its year's table by month and its parent tables show it (stats/disclosure.py)
    _period, hidden = (
        disclosure.overview_hidden(query, grain, request.scope, metrics, [*months, year_ago], model=SnapshotCell)
        if suppress and metrics
        else (set(), set())
    )

    def shown(month, code):
        if month not in sums:
            return None
        return present(*sums[month][code], metric=code, suppress=suppress, complement=(code, month) in hidden)

    previous = months_before(request.month, 1)
    headline = []
    for code in metrics:
        now, before, last_year = (_main(shown(m, code)) for m in (request.month, previous, year_ago))
        headline.append(
            {
                "label": _metric_label(code),
                "month": now,
                "previous": before,
                "mom": _change(now, before),
                "year_ago": last_year,
                "yoy": _change(now, last_year),
            }
        )
    columns = [code for code in (*COURSE_COLUMNS, *CONTEST_COLUMNS) if code in metrics]
    rows = [{"label": f"{month:%Y-%m}", "cells": [_main(shown(month, code)) for code in columns]} for month in months]
    lines = [code for code in TREND_LINES if code in metrics]
    chart = charts_svg.line_chart(
        [f"{month:%m}" for month in months],
        [(str(METRICS[code].label), [_main(shown(month, code)) for month in months]) for code in lines],
        title=_("近12个月趋势"),
        width=640,
        height=190,
    )
    return {
        "headline": headline,
        "previous_month": f"{previous:%Y-%m}",
        "same_month_last_year": f"{year_ago:%Y-%m}",
        "trend": {
            "title": _("近12个月趋势（月度快照）"),
            "by_label": BREAKDOWN_LABELS["month"],
            "columns": [_metric_label(code) for code in columns],
            "rows": rows,
            "chart": chart,
            "stacked": True,
        },
    }


# ------------------------------------------------------------------ one breakdown of the month


def breakdown(request: ReportRequest, snapshot: StatSnapshot, *, by: str, columns: tuple, title: str) -> dict:
    """The report month broken down by `by`: one row per key, the `columns` that apply as columns and
    a bar chart of the first of them. One query (and one for the labels of industries or contests)."""
    grain = grain_for(scope_kind=request.scope.kind, wanted=set(request.filters) | {by})
    query = _query(request, request.month)
    applicable = applicable_metrics(Query(request.month, request.month, by, request.filters), grain) if grain else []
    metrics = [code for code in columns if code in applicable and by in METRICS[code].dims]
    section = {"title": title, "by_label": BREAKDOWN_LABELS[by], "columns": [], "rows": [], "chart": ""}
    if not metrics:
        section["note"] = _("按当前范围与筛选条件，本项不适用。")
        return section
    column = COLUMNS[by]
    qs = cells(query, grain, request.scope, model=SnapshotCell).filter(snapshot=snapshot, metric__in=metrics)
    found: dict = {}
    for row in qs.values(column, "metric").annotate(n=Sum("count"), s=Sum("amount")).order_by():
        found.setdefault(row[column], {})[row["metric"]] = (row["n"] or 0, row["s"] or 0)
    keys = _ordered(by, found)
    section["truncated"] = len(keys) > MAX_ROWS
    keys = keys[:MAX_ROWS]
    names = names_of(by, keys)
    suppress = request.scope.suppresses_small_cells
    totals = {code: tuple(sum(v.get(code, (0, 0))[i] for v in found.values()) for i in (0, 1)) for code in metrics}
    # complementary suppression per column, as on the dashboard: no "<5" can be worked out from the total
    everything = _ordered(by, found)
    hidden = {
        code: _hidden(request, grain, by, code, [found[key].get(code, (0, 0))[0] for key in everything], everything)
        if suppress
        else (set(), False)
        for code in metrics
    }
    rows = [
        {
            "label": label_of(by, key, names),
            "cells": [
                _main(
                    present(
                        *found[key].get(code, (0, 0)), metric=code, suppress=suppress, complement=i in hidden[code][0]
                    )
                )
                for code in metrics
            ],
        }
        for i, key in enumerate(keys)
    ]
    section.update(
        columns=[_metric_label(code) for code in metrics],
        rows=rows,
        total=[
            _main(present(*totals[code], metric=code, suppress=suppress, complement=hidden[code][1]))
            for code in metrics
        ],
        chart=charts_svg.bar_chart(
            [(row["label"], row["cells"][0]) for row in rows],
            title=f"{title} · {_metric_label(metrics[0])}",
        ),
        charted=_metric_label(metrics[0]),
    )
    return section


def _hidden(request: ReportRequest, grain: str, by: str, code: str, counts: list[int], keys: list) -> tuple[set, bool]:
    """(the rows to hide as "x", whether the total is hidden too) in one column of a section: its own
    complements, and the rules that keep it consistent with the report under other filters and with
    the dashboard (stats/disclosure.py), decided on the snapshot's cells. Where those rules hide the
    total or a row this column would show, every row of it is hidden."""
    extra, whole = complements(counts)
    if not request.filters:
        return extra, whole
    query = Query(request.month, request.month, by, request.filters)
    verdict = disclosure.table_hidden(code, query, grain, request.scope, model=SnapshotCell)
    own = extra | {i for i, n in enumerate(counts) if 0 < n < SMALL_CELL}
    forced = any(n and i not in own and keys[i] in verdict["rows"] for i, n in enumerate(counts))
    if not (verdict["total"] or forced):
        return extra, whole
    every = {i for i, n in enumerate(counts) if n >= SMALL_CELL}
    small = {i for i, n in enumerate(counts) if 0 < n < SMALL_CELL}
    return every, verdict["total"] or recoverable(counts, small, small | every)


def _ordered(by: str, found: dict) -> list:
    if by == "level":
        return [level for level in LEVEL_ORDER if level in found]
    if by in ("province", "industry", "kind"):  # by code, the 未知 bucket last
        return sorted(found, key=lambda key: (key == "", key))
    return sorted(found, key=lambda key: (key in ("", 0), -sum(n for n, _s in found[key].values()), key))


def report_data(request: ReportRequest, snapshot: StatSnapshot) -> dict:
    """Everything the report prints, ready for the template (numbers already through `present`)."""
    courses = ("enrolments", "completions", "credited", "certificates")
    return {
        "month": f"{request.month:%Y-%m}",
        "snapshot_taken_at": snapshot.taken_at,
        **headline_and_trend(request),
        "sections": [
            breakdown(request, snapshot, by="province", columns=courses, title=_("分省份")),
            breakdown(request, snapshot, by="industry", columns=courses, title=_("分行业门类")),
            breakdown(
                request,
                snapshot,
                by="level",
                columns=("enrolments", "completions", "certificates"),
                title=_("分技能等级"),
            ),
            breakdown(request, snapshot, by="kind", columns=("certificates",), title=_("证书（按类别）")),
            breakdown(request, snapshot, by="contest", columns=CONTEST_COLUMNS, title=_("竞赛（按大赛）")),
            breakdown(request, snapshot, by="kind", columns=("awards",), title=_("竞赛获奖（按等级）")),
        ],
    }
