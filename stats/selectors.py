"""Reads of the statistics: a figure as a table, the overview of every figure, comparisons with the
snapshots. Each reads rollup cells only (a fixed number of queries whatever the data size) and every
number leaves through `present`, the one place where small cells are suppressed.
"""

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contests.models import Contest, Province, Track
from courses.models import Course, Provider
from organisations.models import Industry, Region

from . import disclosure
from .dimensions import COLUMNS, LEVEL_LABELS, MAX_ROWS, METRICS, PROVIDER_GRAINS, SMALL_CELL, SORTED_BY_KEY
from .disclosure import cells, complements
from .filters import Query
from .models import RefreshState, SnapshotCell, StatCell, StatSnapshot
from .permissions import Scope

SUPPRESSED = "<5"
COMPLEMENT = "x"  # a count of 5 or more hidden so that a "<5" beside it cannot be worked out


# ------------------------------------------------------------------ the one place numbers leave


def present(count: int, amount: int, *, metric: str, suppress: bool, complement: bool = False) -> dict:
    """A cell as shown: its count and, for a sum metric, its amount in hours; "<5" for both when the
    cell counts fewer than 5 and the viewer is not the organiser; "x" for a cell hidden as the
    complement of a "<5" (see `complements`)."""
    kind = METRICS[metric].amount
    if suppress and 0 < count < SMALL_CELL:
        return {"count": SUPPRESSED, **({"hours": SUPPRESSED} if kind else {})}
    if suppress and complement:
        return {"count": COMPLEMENT, **({"hours": COMPLEMENT} if kind else {})}
    out = {"count": int(count)}
    if kind == "seconds":
        out["hours"] = float((Decimal(amount) / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP))
    elif kind == "hours10":
        out["hours"] = float(Decimal(amount) / 10)
    return out


# ------------------------------------------------------------------ cells


def _metric_cells(query: Query, grain: str, scope: Scope, metric: str, *, model=StatCell):
    qs = cells(query, grain, scope, model=model).filter(metric=metric)
    if METRICS[metric].point_in_time and query.by != "month":
        qs = qs.filter(month=query.end)
    return qs


# ------------------------------------------------------------------ labels


def names_of(by: str, keys: list) -> dict:
    """The label of each key of a breakdown (one query for the kinds that need one)."""
    ids = [k for k in keys if k]
    if by == "province":
        return {k: Province(k).label for k in ids if k in Province.values}
    if by == "city":
        return dict(Region.objects.filter(code__in=ids).values_list("code", "name"))
    if by == "industry":
        return {
            code: f"{code} {name}" for code, name in Industry.objects.filter(code__in=ids).values_list("code", "name")
        }
    if by == "provider":
        return dict(Provider.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "course":
        return {
            pk: f"{code} {title}"
            for pk, code, title in Course.objects.filter(pk__in=ids).values_list("pk", "code", "title")
        }
    if by == "contest":
        return dict(Contest.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "track":
        rows = Track.objects.filter(pk__in=ids).values_list("pk", "contest__name", "name")
        return {pk: f"{contest} · {name}" for pk, contest, name in rows}
    if by == "level":
        return {k: str(LEVEL_LABELS[k]) for k in LEVEL_LABELS}
    if by == "kind":
        from certificates.models import CertificateKind
        from contests.scoring import Award

        return {**dict(CertificateKind.choices), **dict(Award.choices)}
    return {}


def label_of(by: str, key, names: dict) -> str:
    if by == "month":
        return f"{key:%Y-%m}"
    if key in ("", 0, None) and by != "level":
        return _("未知") if by in ("province", "city", "industry") else _("不涉及")
    return str(names.get(key, key))


def _key(by: str, key):
    return f"{key:%Y-%m}" if by == "month" else key


# ------------------------------------------------------------------ a figure as a table


def figure_table(metric: str, query: Query, grain: str, scope: Scope) -> dict:
    """One metric broken down by `query.by`: rows (at most MAX_ROWS), the total, and whether truncated."""
    column = COLUMNS[query.by]
    qs = _metric_cells(query, grain, scope, metric)
    grouped = qs.values(column).annotate(n=Sum("count"), s=Sum("amount"))
    grouped = grouped.order_by(column) if query.by in SORTED_BY_KEY else grouped.order_by("-n", column)
    found = list(grouped[: MAX_ROWS + 1])
    truncated = len(found) > MAX_ROWS
    found = found[:MAX_ROWS]
    if query.by == "month":
        by_month = {row[column]: row for row in found}
        found = [by_month.get(m, {column: m, "n": 0, "s": 0}) for m in query.months()]
    totals = _metric_cells(query, grain, scope, metric)
    if METRICS[metric].point_in_time:
        totals = totals.filter(month=query.end)
    total = totals.aggregate(n=Sum("count"), s=Sum("amount"))
    names = names_of(query.by, [row[column] for row in found])
    suppress = scope.suppresses_small_cells
    hidden, withheld, total_hidden = (
        _suppressed_rows(metric, query, grain, scope, found, total["n"] or 0) if suppress else (set(), False, False)
    )
    if withheld:
        found = []
    rows = [
        {
            "key": _key(query.by, row[column]),
            "label": label_of(query.by, row[column], names),
            **present(row["n"] or 0, row["s"] or 0, metric=metric, suppress=suppress, complement=i in hidden),
        }
        for i, row in enumerate(found)
    ]
    return {
        "figure": metric,
        "label": str(METRICS[metric].label),
        "by": query.by,
        "rows": rows,
        "total": present(total["n"] or 0, total["s"] or 0, metric=metric, suppress=suppress, complement=total_hidden),
        "truncated": truncated,
        "withheld": withheld,
    }


def _suppressed_rows(metric: str, query: Query, grain: str, scope: Scope, found: list[dict], total: int):
    """(the rows hidden as "<5" or "x", whether the table lists no row, whether its total is hidden)
    outside the organiser's view: the table's own complements, and the rules that keep it consistent
    with every other request (stats/disclosure.py)."""
    column = COLUMNS[query.by]
    counts = [row["n"] or 0 for row in found]
    verdict = disclosure.table_hidden(metric, query, grain, scope, model=StatCell)
    if query.by == "month":
        # each month as its year's table by month shows it, whatever the period asked
        hidden = {i for i, row in enumerate(found) if row[column] in verdict["months"]}
        whole = bool(verdict["whole_years"])
    else:
        hidden, whole = complements(counts)
    own = hidden | {i for i, n in enumerate(counts) if 0 < n < SMALL_CELL}
    # a row the rules hide but this table would show, or a hidden total: listing the rows would give
    # it back by subtraction or by addition, so the table lists none
    forced = any(
        counts[i] and i not in own and _key(query.by, row[column]) in _keys(verdict["rows"], query.by)
        for i, row in enumerate(found)
    )
    # The total is the overview's figure too (and every other breakdown's total), so hiding it here
    # would protect nothing: when every row that may be hidden is and a "<5" could still be worked
    # out from the total, the table lists no rows at all.
    withheld = total >= SMALL_CELL and (whole or verdict["total"] or forced)
    return hidden, withheld, verdict["total"]


def _keys(keys: set, by: str) -> set:
    return {_key(by, k) for k in keys}


# ------------------------------------------------------------------ the overview


def applicable_metrics(query: Query, grain: str) -> list[str]:
    """The metrics that carry every filtered dimension (the others are 不适用 under these filters)."""
    wanted = set(query.filters)
    return [
        code
        for code, metric in METRICS.items()
        if wanted <= metric.dims and (grain not in PROVIDER_GRAINS or "provider" in metric.dims)
    ]


def _totals(qs, metrics: list[str], end: dt.date) -> dict[str, tuple[int, int]]:
    summed = [m for m in metrics if not METRICS[m].point_in_time]
    point = [m for m in metrics if METRICS[m].point_in_time]
    out = dict.fromkeys(metrics, (0, 0))
    rows = qs.filter(metric__in=summed).values("metric").annotate(n=Sum("count"), s=Sum("amount")).order_by()
    if point:
        rows = rows.union(
            qs.filter(metric__in=point, month=end).values("metric").annotate(n=Sum("count"), s=Sum("amount")).order_by()
        )
    for row in rows:
        out[row["metric"]] = (row["n"] or 0, row["s"] or 0)
    return out


def months_before(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def overview(query: Query, grain: str, scope: Scope) -> dict:
    """Every metric's total over the period, and the period's last month against the month before and
    the same month a year before, read from the monthly snapshots (null where none was taken)."""
    metrics = applicable_metrics(query, grain)
    live = _totals(cells(query, grain, scope), metrics, query.end)
    report, before, year_ago = query.end, months_before(query.end, 1), months_before(query.end, 12)
    months = (report, before, year_ago)
    taken = set(StatSnapshot.objects.filter(month__in=months).values_list("month", flat=True))
    compared = {month: (dict.fromkeys(metrics, (0, 0)) if month in taken else None) for month in months}
    if taken:
        frozen = Query(start=min(taken), end=max(taken), by="month", filters=query.filters)
        qs = cells(frozen, grain, scope, model=SnapshotCell).filter(month__in=taken, metric__in=metrics)
        for row in qs.values("month", "metric").annotate(n=Sum("count"), s=Sum("amount")).order_by():
            compared[row["month"]][row["metric"]] = (row["n"] or 0, row["s"] or 0)
    suppress = scope.suppresses_small_cells
    # outside the organiser's view, a total is hidden where a table it is a row of hides that row
    period_hidden, month_hidden = (
        disclosure.overview_hidden(query, grain, scope, metrics, list(months), model=StatCell)
        if suppress and metrics
        else (set(), set())
    )
    figures = []
    for code, metric in METRICS.items():
        if code not in metrics:
            figures.append({"figure": code, "label": str(metric.label), "applicable": False})
            continue

        def shown(values, month, code=code):
            if values is None:
                return None
            return present(*values[code], metric=code, suppress=suppress, complement=(code, month) in month_hidden)

        figures.append(
            {
                "figure": code,
                "label": str(metric.label),
                "applicable": True,
                "period": present(*live[code], metric=code, suppress=suppress, complement=code in period_hidden),
                "month": shown(compared[report], report),
                "previous_month": shown(compared[before], before),
                "same_month_last_year": shown(compared[year_ago], year_ago),
            }
        )
    return {
        "report_month": f"{report:%Y-%m}",
        "previous_month": f"{before:%Y-%m}",
        "same_month_last_year": f"{year_ago:%Y-%m}",
        "figures": figures,
    }


def refreshed_at():
    return RefreshState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


# Every statistics request starts by reading the refresh's stamp; a process reuses what it read for
# STAMP_SECONDS. A refresh drops it in its own process at once and again at its commit, so another
# process (the task worker refreshes, the web server reads) shows a new refresh at most that late.
STAMP_SECONDS = 2.0
_stamp: tuple[float, tuple] = (0.0, (None, ""))


def refresh_state() -> tuple[dt.datetime | None, str]:
    """(when the cells were last refreshed, the stamp of that refresh): one query, at most every
    STAMP_SECONDS per process."""
    global _stamp
    expires, state = _stamp
    now = time.monotonic()
    if now < expires:
        return state
    row = RefreshState.objects.filter(pk=1).values_list("refreshed_at", "stamp").first()
    state = row or (None, "")
    _stamp = (now + STAMP_SECONDS, state)
    return state


def refresh_state_forget() -> None:
    global _stamp
    _stamp = (0.0, (None, ""))


CACHE_SECONDS = 3600


def cached(stamp: str, scope: Scope, query: Query | None, grain: str, name: str, compute: Callable[[], dict]) -> dict:
    """`compute()`, kept in the cache under the refresh's stamp: cells change only when a refresh
    (or a snapshot) commits a new stamp, so an answer is reused until then and never outlives it.
    The key holds everything the answer depends on: the viewer's scope, the query, the language."""
    if not stamp:
        return compute()
    parts = (
        stamp,
        name,
        grain,
        scope.kind,
        sorted(scope.provider_ids),
        sorted(scope.employer_ids),
        f"{query.start}..{query.end}" if query else "",
        query.by if query else "",
        sorted(query.filters.items()) if query else [],
        get_language(),
    )
    key = "stats:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, CACHE_SECONDS)
    return answer


# ------------------------------------------------------------------ the public headline figures

PUBLIC_METRICS = ("registered", "completions", "credited", "certificates", "participants", "awards")


def public_figures(today: dt.date) -> dict:
    """The public page's totals: this year to date and everything so far, from the unfiltered grain
    only (no region, no provider, nothing personal), every number through `present` with small cells
    suppressed as for anyone who is not the organiser. Two queries."""
    year_start = dt.date(today.year, 1, 1)
    base = StatCell.objects.filter(grain="total", metric__in=PUBLIC_METRICS)
    sums = {"year": {}, "all": {}}
    for scope_name, qs in (
        ("year", base.filter(month__gte=year_start, month__lt=year_start.replace(year=today.year + 1))),
        ("all", base),
    ):
        for row in qs.values("metric").annotate(n=Sum("count"), s=Sum("amount")).order_by():
            sums[scope_name][row["metric"]] = (row["n"] or 0, row["s"] or 0)
    figures = []
    for code in PUBLIC_METRICS:
        figures.append(
            {
                "figure": code,
                "year": present(*sums["year"].get(code, (0, 0)), metric=code, suppress=True),
                "all": present(*sums["all"].get(code, (0, 0)), metric=code, suppress=True),
            }
        )
    return {"year": today.year, "figures": figures}
