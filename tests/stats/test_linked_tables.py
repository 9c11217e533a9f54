"""Linked tables: what one page (and its JSON) shows together — the overview's totals and its three
months from the snapshots, and the figure's table with its total — must not let a "<5" be worked out
by subtracting one from the other.

The attacker knows the rule and reads, for a table by month, the table's shown rows and total plus
the overview's exact figures for the report month, the month before and the same month a year before.
"""

import io
import itertools

import pytest
from openpyxl import load_workbook

from courses.models import Enrolment
from stats.selectors import COMPLEMENT, SUPPRESSED, complements
from tests.stats.conftest import APRIL, MARCH


def _possible(rows: list, total: int, published: dict[int, int]) -> list[set[int]]:
    """Every value each "<5" row can take given the rows shown, the total and the overview's months."""
    known = {i: row for i, row in enumerate(rows) if isinstance(row, int)}
    known.update(published)
    hidden = [i for i in range(len(rows)) if i not in known]
    shown_free = [n for i, n in known.items() if i not in published and n > 0]
    ceiling = min(shown_free, default=total)
    ranges = [range(1, 5) if rows[i] == SUPPRESSED else range(5, ceiling + 1) for i in hidden]
    left = total - sum(known.values())
    seen = {i: set() for i in hidden if rows[i] == SUPPRESSED}
    for values in itertools.product(*ranges):
        if sum(values) == left:
            for i, value in zip(hidden, values, strict=True):
                if i in seen:
                    seen[i].add(value)
    return [seen[i] for i in seen] + [{published[i]} for i in published if rows[i] == SUPPRESSED and published[i] >= 5]


@pytest.fixture
def by_month(months_enrolled):
    """`months_enrolled`, with March and April snapshotted (the overview's month columns)."""
    from stats.services import snapshot_take

    snapshot_take(month=MARCH)
    snapshot_take(month=APRIL)
    return months_enrolled


def test_a_month_table_cannot_be_undone_with_the_overviews_months(client, by_month):
    client.force_login(by_month)
    params = {"period": "2026-02..2026-04"}
    overview = client.get("/stats/api/overview.json", params).json()
    table = client.get("/stats/api/enrolments.json", {**params, "by": "month"}).json()
    figure = next(f for f in overview["figures"] if f["figure"] == "enrolments")
    # 2026 by month: February 2 ("<5"), March 7, April 6; the year's table hides April with February,
    # and the overview's April column follows it
    assert figure["period"]["count"] == 15 and figure["month"]["count"] == COMPLEMENT
    assert figure["previous_month"]["count"] == 7
    rows = [row["count"] for row in table["rows"]]
    assert rows == [SUPPRESSED, 7, COMPLEMENT] and table["total"]["count"] == 15
    months = [row["key"] for row in table["rows"]]
    published = {
        months.index(m): figure[k]["count"]
        for m, k in (("2026-04", "month"), ("2026-03", "previous_month"))
        if isinstance(figure[k]["count"], int)
    }
    for values in _possible(rows, table["total"]["count"], published):
        assert len(values) > 1, (rows, table["total"], published)
    page = client.get("/stats/", {"figure": "enrolments", "by": "month", **params}).content.decode()
    assert "<td>x</td>" in page


def test_a_longer_period_shows_each_month_as_its_years_table_does(client, by_month):
    client.force_login(by_month)
    table = client.get("/stats/api/enrolments.json", {"period": "2026-01..2026-04", "by": "month"}).json()
    assert [row["count"] for row in table["rows"]] == [0, SUPPRESSED, 7, COMPLEMENT]
    assert table["total"]["count"] == 15 and table["withheld"] is False


def test_the_attacker_would_win_if_the_overviews_months_were_complements():
    """Before: February 2, March 7, April 6 hid April as the complement, which the overview shows."""
    hidden, _whole = complements([2, 7, 6])
    assert hidden == {2}
    rows = [SUPPRESSED, 7, COMPLEMENT]
    assert _possible(rows, 15, {2: 6}) == [{2}]  # 15 − 7 − 6: the "<5" recovered
    assert complements([2, 7, 6], published={1, 2}) == (set(), True)  # now: nothing helps → no rows


def test_published_rows_are_never_taken_as_complements():
    assert complements([2, 6, 7]) == ({1}, False)
    assert complements([2, 6, 7], published={1}) == ({2}, False)
    assert complements([2, 6, 7], published={1, 2}) == (set(), True)


def test_the_total_is_never_the_only_thing_hidden(client, people, stats_world, clock):
    """By level: 未分级 1 and 三级 5. Hiding both rows still leaves 1 = 6 − x (x ≥ 5), and the overview
    shows the 6, so hiding the table's total would protect nothing: the table lists no rows."""
    from stats.services import stats_refresh

    Enrolment.objects.filter(learner=stats_world["learners"][5], course=stats_world["a1"]).delete()
    stats_refresh(months=[MARCH])
    client.force_login(people["manager"])
    params = {"period": "2026-03"}
    overview = client.get("/stats/api/overview.json", params).json()
    assert next(f for f in overview["figures"] if f["figure"] == "enrolments")["period"]["count"] == 6
    table = client.get("/stats/api/enrolments.json", {**params, "by": "level"}).json()
    assert table["withheld"] is True and table["rows"] == [] and table["total"]["count"] == 6
    sheet = load_workbook(io.BytesIO(client.get("/stats/export/enrolments.xlsx", {**params, "by": "level"}).content))
    lines = [[c for c in row if c is not None] for row in sheet.active.iter_rows(values_only=True)]
    assert lines[4][0] == "合计" and lines[4][-1] == 6 and "本表不分组列出" in lines[5][0]
    client.force_login(people["organiser"])  # the organiser's own view is not suppressed
    rows = client.get("/stats/api/enrolments.json", {**params, "by": "level"}).json()["rows"]
    assert [row["count"] for row in rows] == [2, 7]  # every learner's, not only 江苏's


def test_a_complement_cannot_be_read_back_by_filtering_to_its_row(client, people, refreshed):
    """By level the 江苏 manager sees 未分级 "<5" and 三级 "x" (total 7); filtering to 三级 gives that
    row's figure as the overview's total, and 7 − 6 gives the "<5" away."""
    client.force_login(people["manager"])
    table = client.get("/stats/api/enrolments.json", {"period": "2026-03", "by": "level"}).json()
    assert [row["count"] for row in table["rows"]] == [SUPPRESSED, COMPLEMENT]
    overview = client.get("/stats/api/overview.json", {"period": "2026-03", "level": "3"}).json()
    row = next(f for f in overview["figures"] if f["figure"] == "enrolments")["period"]["count"]
    assert not isinstance(row, int), table["total"]["count"] - row  # the "<5" would be this
