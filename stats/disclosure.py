"""Suppression kept consistent across requests, outside the organiser's view.

Every number the statistics show is a figure's total under some filters over some months, and the same
number is a row of another table: the total under `province=32` is row 32 of the table by province,
the total of March is the March row of the table by month. `complements` keeps one table
from giving a "<5" away; the rules here make every other request agree with it, so that a row hidden in
a table ("<5" or "x") is never read back as the total of a request filtered to that row
(docs/statistics.md, "Suppression across requests"):

- the period rule: each calendar year has one table by month (January to December, whatever period
  was asked), whose complements decide which months are hidden; a period's total shows only when, in
  each year, it holds all of that year's hidden months or none of them;
- the parent rule: for each filtered dimension, the filtered value's row in its parent table (the
  same figure by that dimension under the other filters, over the same months) must be shown, and so
  must its row in the parent table under any subset of the other filters (a hidden total hides every
  table under it).

A fixed number of queries: one for the period rule, one per filtered dimension for the parent rule.
"""

import datetime as dt
from collections import defaultdict
from itertools import combinations, product

from django.db.models import Case, IntegerField, Sum, Value, When

from .dimensions import COLUMNS, METRICS, SMALL_CELL, SORTED_BY_KEY
from .filters import Query
from .models import StatCell
from .permissions import Scope

PARENT = {"city": "province", "course": "provider", "track": "contest"}  # a drill-down → what it drills
CHILD = {parent: child for child, parent in PARENT.items()}
ALL = ("all",)  # the key of a request's own total among its rows' (a row's key may be None or "")


# ------------------------------------------------------------------ one table, and the cells a viewer reads


def recoverable(counts: list[int], small: set[int], hidden: set[int]) -> bool:
    """Whether a reader who knows the rule can pin down a "<5" cell from the total: the hidden cells
    sum to total − the shown ones; a "<5" lies in 1–4, a complement between 5 and the smallest count
    still shown (complements are taken smallest first)."""
    if not small:
        return False
    left = sum(counts[i] for i in hidden)
    shown = [n for i, n in enumerate(counts) if i not in hidden and n > 0]
    ceiling = min(shown) if shown else None
    extra = len(hidden) - len(small)
    others_min = (len(small) - 1) + SMALL_CELL * extra
    low = 1 if ceiling is None and extra else max(1, left - (4 * (len(small) - 1) + (ceiling or 0) * extra))
    high = min(SMALL_CELL - 1, left - others_min)
    return high <= low


def complements(counts: list[int], published: frozenset | set = frozenset()) -> tuple[set[int], bool]:
    """Complementary suppression: the rows (indices) of 5 or more to hide as well, smallest first,
    until no "<5" row can be recovered by subtracting the shown rows from the total; and whether the
    total must be hidden too (every row that may be hidden is, and still recoverable). `published`:
    rows whose figure the same page shows elsewhere (the overview's months), never taken as
    complements since hiding them here would hide nothing."""
    small = {i for i, n in enumerate(counts) if 0 < n < SMALL_CELL}
    hidden = set(small)
    candidates = sorted((n, i) for i, n in enumerate(counts) if n >= SMALL_CELL and i not in published)
    while recoverable(counts, small, hidden):
        if not candidates:
            return hidden - small, True
        hidden.add(candidates.pop(0)[1])
    return hidden - small, False


def cells(query: Query, grain: str, scope: Scope, *, model=StatCell):
    qs = model.objects.filter(grain=grain, month__gte=query.start, month__lte=query.end)
    qs = qs.filter(**{COLUMNS[dim]: value for dim, value in query.filters.items()})
    if scope.kind == "provider":
        qs = qs.filter(provider_id__in=scope.provider_ids)
    elif scope.kind == "manager":
        qs = qs.filter(employer_id__in=scope.employer_ids)
    return qs


# ------------------------------------------------------------------ the period rule


def year_span(first: dt.date, last: dt.date) -> Query:
    """The calendar years from `first` to `last`: the months the period rule reads."""
    return Query(start=dt.date(first.year, 1, 1), end=dt.date(last.year, 12, 1))


def hidden_months(by_month: dict[dt.date, int], years: range, *, point: bool) -> tuple[set[dt.date], set[int]]:
    """(the months hidden in each year's table by month, the years whose table lists no month).

    A point-in-time figure (its period shows the last month only) has no sum across months, so only
    its small months are hidden."""
    hidden: set[dt.date] = set()
    withheld: set[int] = set()
    for year in years:
        months = [dt.date(year, m, 1) for m in range(1, 13)]
        counts = [by_month.get(m, 0) for m in months]
        small = {i for i, n in enumerate(counts) if 0 < n < SMALL_CELL}
        if point:
            hidden |= {months[i] for i in small}
            continue
        extra, whole = complements(counts)
        if whole:
            withheld.add(year)
            hidden |= {months[i] for i, n in enumerate(counts) if n > 0}
        else:
            hidden |= {months[i] for i in small | extra}
    return hidden, withheld


def period_hides(hidden: set[dt.date], months: set[dt.date]) -> bool:
    """Whether a total over `months` would give a hidden month away: in some year it holds some of
    that year's hidden months but not all (all of them: the year's table already shows their sum)."""
    for year in {m.year for m in hidden}:
        of_year = {m for m in hidden if m.year == year}
        inside = of_year & months
        if inside and inside != of_year:
            return True
    return False


# ------------------------------------------------------------------ the parent rule


def _row_hidden(table: dict, value, dim: str) -> bool:
    """Whether `value`'s row is hidden ("<5", "x", or not listed) in the table by `dim` with these rows,
    ordered as `selectors.figure_table` orders them (complements break ties by position)."""
    n = table.get(value, 0)
    if n <= 0:
        return False
    if n < SMALL_CELL:
        return True
    if dim in SORTED_BY_KEY:
        keys = sorted(table, key=lambda k: (k is None, k))
    else:
        keys = sorted(table, key=lambda k: (-table[k], k is None, k or 0))
    extra, whole = complements([table[k] for k in keys])
    return whole or keys.index(value) in extra


def parents_hide(
    query: Query, grain: str, scope, metrics: list[str], *, months: list[dt.date], model, by: str | None = None
) -> dict[tuple, bool]:
    """The parent rule for a request under `query.filters`, for each of `metrics`: one grouped query
    per filtered dimension. Returns {(metric, month, row): True} where a parent table hides the
    filtered value: `month` None for the total over the query's period, else that one month among
    `months`; `row` ALL for the request's total, else a row of the table by `by` (each row being
    the total of a request filtered to it)."""
    hides: dict[tuple, bool] = defaultdict(bool)
    period = [m for m in query.months() if m in months]
    span = Query(start=min(months), end=max(months), by="month", filters={})
    base = cells(span, grain, scope, model=model).filter(month__in=months, metric__in=metrics)
    for dim, value in query.filters.items():
        # a city's parent is the table by city of its province; a province's is the table by
        # province, without its city
        others = [e for e in query.filters if e not in (dim, CHILD.get(dim), PARENT.get(dim))]
        qs = base
        if PARENT.get(dim) in query.filters:
            qs = qs.filter(**{COLUMNS[PARENT[dim]]: query.filters[PARENT[dim]]})
        flags = {
            f"f_{e}": Case(
                When(**{COLUMNS[e]: query.filters[e]}, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
            for e in others
        }
        related = (dim, CHILD.get(dim), PARENT.get(dim), "month", None)
        row_col = COLUMNS[by] if by not in related else None
        fields = ["metric", "month", COLUMNS[dim], *([row_col] if row_col else []), *flags]
        rows = qs.annotate(**flags).values(*fields).annotate(n=Sum("count")).order_by()
        # every parent table: under each subset of the other filters, per month and over the period
        tables: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            on = [e for e in others if row[f"f_{e}"]]
            keys = (ALL, row[row_col]) if row_col else (ALL,)
            month, n = row["month"], row["n"] or 0
            point = METRICS[row["metric"]].point_in_time
            in_period = month == query.end if point else month in period
            for size in range(len(on) + 1):
                for subset, key in product(combinations(on, size), keys):
                    tables[(row["metric"], month, key, subset)][row[COLUMNS[dim]]] += n
                    if in_period:
                        tables[(row["metric"], None, key, subset)][row[COLUMNS[dim]]] += n
        for (metric, month, key, _subset), table in tables.items():
            if _row_hidden(table, value, dim):
                hides[(metric, month, key)] = True
    return hides


# ------------------------------------------------------------------ what a request may show


def _month_counts(query: Query, grain: str, scope, metrics: list[str], months: list[dt.date], by: str | None, model):
    """{(metric, row key or ALL): {month: count}} over the calendar years of `months`, under every
    filter of `query` (the tables by month the period rule reads; one query)."""
    span = year_span(min(months), max(months))
    qs = cells(Query(span.start, span.end, "month", query.filters), grain, scope, model=model).filter(
        metric__in=metrics
    )
    column = COLUMNS[by] if by and by != "month" else None
    out: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for row in qs.values("metric", "month", *([column] if column else [])).annotate(n=Sum("count")).order_by():
        out[(row["metric"], ALL)][row["month"]] += row["n"] or 0
        if column:
            out[(row["metric"], row[column])][row["month"]] += row["n"] or 0
    return out, range(span.start.year, span.end.year + 1)


def _period_of(metric: str, query: Query) -> set[dt.date]:
    return {query.end} if METRICS[metric].point_in_time else set(query.months())


def overview_hidden(query: Query, grain: str, scope, metrics: list[str], shown: list[dt.date], *, model):
    """(the metrics whose total over the period is hidden, the (metric, month) pairs whose one-month
    figure is hidden) for the overview under `query.filters`; `shown` are the months it shows."""
    months = sorted(set(query.months()) | set(shown))
    counts, years = _month_counts(query, grain, scope, metrics, months, None, model)
    parents = parents_hide(query, grain, scope, metrics, months=months, model=model) if query.filters else {}
    period, single = set(), set()
    for metric in metrics:
        hidden, _whole = hidden_months(counts[(metric, ALL)], years, point=METRICS[metric].point_in_time)
        if period_hides(hidden, _period_of(metric, query)) or parents.get((metric, None, ALL)):
            period.add(metric)
        single |= {(metric, m) for m in shown if m in hidden or parents.get((metric, m, ALL))}
    return period, single


def table_hidden(metric: str, query: Query, grain: str, scope, *, model) -> dict:
    """What the rules hide in the table of `metric` by `query.by` under `query.filters`:
    `total` (its total), `months` (by month: the months hidden in their year's table), `rows` (rows
    hidden as requests of their own, by the parent rule or, for another breakdown, the period rule),
    `whole_years` (years whose table by month lists no month)."""
    months = query.months()
    counts, years = _month_counts(query, grain, scope, [metric], months, query.by, model)
    parents = (
        parents_hide(query, grain, scope, [metric], months=months, model=model, by=query.by) if query.filters else {}
    )
    point = METRICS[metric].point_in_time
    hidden, whole = hidden_months(counts[(metric, ALL)], years, point=point)
    period = _period_of(metric, query)
    verdict = {
        "total": period_hides(hidden, period) or bool(parents.get((metric, None, ALL))),
        "months": hidden,
        "whole_years": {y for y in whole if any(counts[(metric, ALL)].get(m) for m in months if m.year == y)},
        "rows": set(),
    }
    if query.by == "month":
        verdict["rows"] = {m for m in months if parents.get((metric, m, ALL))}
    else:
        for (_code, key), by_month in counts.items():
            if key == ALL:
                continue
            row_hidden, _w = hidden_months(by_month, years, point=point)
            if period_hides(row_hidden, period) or parents.get((metric, None, key)):
                verdict["rows"].add(key)
        verdict["rows"] |= {key for (_m, month, key) in parents if month is None and key != ALL}
    return verdict
