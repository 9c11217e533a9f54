"""Suppression across requests: a row hidden in a table ("<5" or "x") cannot be read back as the total
of a second request filtered to that row, outside the organiser's view (docs/statistics.md,
"Suppression across requests").

The attacker knows the rule. They read a table (the first request), then for every row of it the
same figure filtered to that row (the second request: the overview's total, the table's total, and
the rows of its tables by month and by the drill-down, added up when all are shown), and enumerate
every table consistent with all of it: each "<5" must still have more than one possible value.
"""

import io
import itertools

import pytest
from openpyxl import load_workbook

from courses.models import Enrolment
from organisations.models import MembershipRole, OrganisationMembership
from stats import disclosure
from stats.selectors import COMPLEMENT, SUPPRESSED
from tests.factories import CourseFactory, UserFactory
from tests.stats.conftest import APRIL, MARCH, _enrol

PERIOD = "2026-03"


@pytest.fixture
def two_employers(people, refreshed):
    """A training manager of both the 江苏 and the 浙江 employer: 32 / 3205 / C has 7 enrolments in
    March (三级 6, 未分级 1), 33 / 3301 / I has 2."""
    manager = UserFactory(username="stats_manager_both")
    for organisation in (refreshed["js"], refreshed["zj"]):
        OrganisationMembership.objects.create(
            organisation=organisation, user=manager, role=MembershipRole.TRAINING_MANAGER
        )
    return manager


@pytest.fixture
def two_providers(people, refreshed):
    """Staff of providers A (course A1: 8 enrolments in March) and B (course B1: 2)."""
    from courses.models import ProviderMembership

    staff = UserFactory(username="stats_staff_ab")
    for provider in (refreshed["provider_a"], refreshed["provider_b"]):
        ProviderMembership.objects.create(provider=provider, user=staff)
    return staff


def _count(client, figure: str, params: dict):
    """Every reading of one figure under `params`: the overview's total, the table's total, and the
    sum of a table's rows when all of them are shown. At most one number may come out."""
    overview = client.get("/stats/api/overview.json", {k: v for k, v in params.items() if k != "by"}).json()
    readings = [next(f for f in overview["figures"] if f["figure"] == figure)["period"]["count"]]
    for by in ("month", params.get("by")):
        if by is None:
            continue
        table = client.get(f"/stats/api/{figure}.json", {**params, "by": by}).json()
        assert "error" not in table, table
        readings.append(table["total"]["count"])
        rows = [row["count"] for row in table["rows"]]
        if rows and all(isinstance(n, int) for n in rows):
            readings.append(sum(rows))
    numbers = {n for n in readings if isinstance(n, int)}
    assert len(numbers) <= 1, readings
    return numbers.pop() if numbers else None


def _possible(rows: dict, total: int, read_back: dict) -> dict:
    """Every value each "<5" row can take, given the table, its total and the rows read back."""
    known = {k: n for k, n in rows.items() if isinstance(n, int)}
    known.update({k: n for k, n in read_back.items() if n is not None})
    hidden = [k for k in rows if k not in known]
    if not isinstance(total, int):  # no sum to subtract from: only what was read back
        return {k: {known[k]} if k in known else set(range(1, 5)) for k in rows if rows[k] == SUPPRESSED}
    ceiling = min((n for k, n in rows.items() if isinstance(n, int) and n > 0), default=total)
    ranges = [range(1, 5) if rows[k] == SUPPRESSED else range(5, ceiling + 1) for k in hidden]
    seen = {k: set() for k in rows if rows[k] == SUPPRESSED}
    seen.update({k: {known[k]} for k in seen if k in known})
    for values in itertools.product(*ranges):
        if sum(values) == total - sum(known.values()):
            for key, value in zip(hidden, values, strict=True):
                if key in seen:
                    seen[key].add(value)
    return seen


def _attack(client, user, figure: str, by: str, base: dict, *, filter_as=None, drill=None) -> dict:
    """Read the table by `by`, then every row of it as a request of its own; return the rows shown
    and the possible values of each "<5"."""
    client.force_login(user)
    table = client.get(f"/stats/api/{figure}.json", {**base, "by": by}).json()
    rows = {row["key"]: row["count"] for row in table["rows"]}
    read_back = {
        key: _count(client, figure, {**base, (filter_as or by): str(key), **({"by": drill} if drill else {})})
        for key in rows
        if key not in ("", 0, None)
    }
    possible = _possible(rows, table["total"]["count"], read_back)
    for key, values in possible.items():
        assert len(values) > 1, (rows, table["total"], read_back, key, values)
    return rows


def test_a_province_hidden_as_x_cannot_be_read_back_from_its_cities(client, two_employers):
    rows = _attack(client, two_employers, "enrolments", "province", {"period": PERIOD}, drill="city")
    assert rows == {"32": COMPLEMENT, "33": SUPPRESSED}
    # its drill-down lists no city: the cities would add up to the province's total
    table = client.get("/stats/api/enrolments.json", {"period": PERIOD, "province": "32", "by": "city"}).json()
    assert table["withheld"] is True and table["rows"] == [] and table["total"]["count"] == COMPLEMENT


def test_a_city_hidden_as_x_cannot_be_read_back(client, two_employers):
    assert _attack(client, two_employers, "enrolments", "city", {"period": PERIOD}) == {
        "3205": COMPLEMENT,
        "3301": SUPPRESSED,
    }
    # nor through its province: the city's row in the table by city of 江苏 is shown, but 江苏 is not
    assert _count(client, "enrolments", {"period": PERIOD, "province": "32", "city": "3205"}) is None


def test_an_industry_hidden_as_x_cannot_be_read_back(client, two_employers):
    assert _attack(client, two_employers, "enrolments", "industry", {"period": PERIOD}) == {
        "C": COMPLEMENT,
        "I": SUPPRESSED,
    }


def test_a_level_hidden_as_x_cannot_be_read_back(client, people, refreshed):
    assert _attack(client, people["manager"], "enrolments", "level", {"period": PERIOD}) == {
        0: SUPPRESSED,
        3: COMPLEMENT,
    }


def test_the_level_is_hidden_under_another_filter_too(client, two_employers):
    """三级 under 江苏 is 6 of 7, next to 未分级 1: hidden in 江苏's table by level, and so in the
    table by province under 三级 (whose other rows would add up to it)."""
    _attack(client, two_employers, "enrolments", "level", {"period": PERIOD, "province": "32"})
    assert _count(client, "enrolments", {"period": PERIOD, "province": "32", "level": "3"}) is None
    table = client.get("/stats/api/enrolments.json", {"period": PERIOD, "level": "3", "by": "province"}).json()
    assert table["withheld"] is True, table


def test_a_provider_hidden_as_x_cannot_be_read_back_from_its_courses(client, two_providers):
    rows = _attack(client, two_providers, "enrolments", "provider", {"period": PERIOD}, drill="course")
    assert set(rows.values()) == {COMPLEMENT, SUPPRESSED}


def test_a_course_hidden_as_x_cannot_be_read_back(client, two_providers, refreshed):
    rows = _attack(client, two_providers, "enrolments", "course", {"period": PERIOD})
    assert rows == {refreshed["a1"].pk: COMPLEMENT, refreshed["b1"].pk: SUPPRESSED}
    params = {"period": PERIOD, "provider": str(refreshed["provider_a"].pk), "course": str(refreshed["a1"].pk)}
    assert _count(client, "enrolments", params) is None


def test_a_course_within_one_provider(client, people, refreshed):
    """Provider A's staff: A1 has 8 enrolments in March, a new A2 has 2; A1 is hidden with A2."""
    a2 = CourseFactory(provider=refreshed["provider_a"], code="A2", level=3)
    for learner in refreshed["learners"][:2]:
        _enrol(learner, a2)
    from stats.services import stats_refresh

    stats_refresh(months=[MARCH])
    base = {"period": PERIOD, "provider": str(refreshed["provider_a"].pk)}
    rows = _attack(client, people["staff"], "enrolments", "course", base)
    assert rows == {refreshed["a1"].pk: COMPLEMENT, a2.pk: SUPPRESSED}


def test_a_month_hidden_as_x_cannot_be_read_back_from_any_shorter_period(client, months_enrolled):
    """The year's table by month shows February "<5" and April "x"; the attacker then asks every
    period within January–May and adds what each shows (its total; its last month in the overview)."""
    client.force_login(months_enrolled)
    table = client.get("/stats/api/enrolments.json", {"period": "2026-01..2026-05", "by": "month"}).json()
    rows = {row["key"]: row["count"] for row in table["rows"]}
    assert rows == {"2026-01": 0, "2026-02": SUPPRESSED, "2026-03": 7, "2026-04": COMPLEMENT, "2026-05": 0}
    months = list(rows)
    sums = []  # (months, count) for every number a shorter period shows
    for i, j in itertools.combinations_with_replacement(range(len(months)), 2):
        period = f"{months[i]}..{months[j]}"
        if (n := _count(client, "enrolments", {"period": period})) is not None:
            sums.append((months[i : j + 1], n))
        overview = client.get("/stats/api/overview.json", {"period": period}).json()
        month = next(f for f in overview["figures"] if f["figure"] == "enrolments")["month"]
        if month and isinstance(month["count"], int):
            sums.append(([months[j]], month["count"]))
    hidden = [m for m in months if not isinstance(rows[m], int)]
    ceiling = 7
    feb = set()
    for values in itertools.product(*(range(1, 5) if rows[m] == SUPPRESSED else range(5, ceiling + 1) for m in hidden)):
        full = {**{m: n for m, n in rows.items() if isinstance(n, int)}, **dict(zip(hidden, values, strict=True))}
        if sum(full.values()) == table["total"]["count"] and all(sum(full[m] for m in ms) == n for ms, n in sums):
            feb.add(full["2026-02"])
    assert len(feb) > 1, (sums, feb)
    # the two requests of the known leak: April alone, and March to April
    assert _count(client, "enrolments", {"period": "2026-04"}) is None
    assert _count(client, "enrolments", {"period": "2026-03..2026-04"}) is None
    assert _count(client, "enrolments", {"period": "2026-02..2026-04"}) == 15


def test_a_province_hidden_in_one_month_is_hidden_in_its_table_by_month(client, two_employers):
    """32 is "x" in March's table by province; 江苏's table by month must not show March."""
    client.force_login(two_employers)
    table = client.get("/stats/api/enrolments.json", {"period": "2026-01..2026-05", "province": "32"}).json()
    march = [row["count"] for row in table["rows"] if row["key"] == "2026-03"]
    assert march in ([], [COMPLEMENT], [SUPPRESSED]), table


def test_the_export_shows_the_read_back_total_hidden(client, two_employers):
    client.force_login(two_employers)
    response = client.get("/stats/export/enrolments.xlsx", {"period": PERIOD, "province": "32", "by": "city"})
    lines = [tuple(c.value for c in row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert ("合计", None, COMPLEMENT) in lines
    assert not any(line[1] == "3205" for line in lines)  # no city listed


def test_the_page_shows_the_read_back_total_hidden(client, two_employers):
    client.force_login(two_employers)
    page = client.get("/stats/", {"period": PERIOD, "province": "32", "by": "city"}).content.decode()
    assert "本表不分组列出" in page and "<td>7</td>" not in page


def test_the_organisers_view_is_unchanged_and_reads_nothing_more(client, people, refreshed, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the organiser's view ran a suppression query")

    monkeypatch.setattr(disclosure, "table_hidden", refuse)
    monkeypatch.setattr(disclosure, "overview_hidden", refuse)
    client.force_login(people["organiser"])
    assert _count(client, "enrolments", {"period": PERIOD, "province": "32", "by": "city"}) == 7
    table = client.get("/stats/api/enrolments.json", {"period": PERIOD, "level": "3", "by": "province"}).json()
    assert {row["key"]: row["count"] for row in table["rows"]} == {"32": 6, "33": 2}


def test_the_scoped_query_count_is_constant_in_the_data_size(client, two_employers, refreshed):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stats.services import stats_refresh

    client.force_login(two_employers)
    urls = [
        ("/stats/api/enrolments.json", {"period": "2026-01..2026-12", "province": "32", "level": "3", "by": "month"}),
        ("/stats/api/enrolments.json", {"period": PERIOD, "industry": "C", "by": "city"}),
        ("/stats/api/overview.json", {"province": "32", "industry": "C"}),
        ("/stats/", {"figure": "certificates", "by": "level", "province": "32"}),
    ]

    def counts():
        out = []
        for url, params in urls:
            client.get(url, params)
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, params).status_code == 200
            out.append(len(ctx))
        return out

    small = counts()
    organisations = [refreshed["js"], refreshed["zj"]]
    for n in range(40):
        learner = UserFactory(username=f"more{n}")
        from organisations.models import Employment

        Employment.objects.create(user=learner, organisation=organisations[n % 2])
        Enrolment.objects.create(learner=learner, course=refreshed["a1" if n % 2 else "b1"])
    Enrolment.objects.filter(learner__username__startswith="more").update(
        enrolled_at=refreshed["learners"][0].date_joined
    )
    stats_refresh(months=[MARCH, APRIL])
    assert counts() == small


def test_the_monthly_report_hides_a_province_read_back_by_filtering(client, people, refreshed):
    """Provider A's staff: the report of March shows 江苏 "x" beside 浙江 "<5" (total 8); the report
    filtered to 江苏 must not print 江苏's 6 as its headline."""
    import re

    from django.core.cache import cache

    from stats.services import snapshot_take
    from tests.certificates.helpers import pdftotext

    snapshot_take(month=MARCH)
    cache.clear()

    def row(text: str, *cells) -> bool:  # a table row with these cells in order (as test_report_pdf)
        pattern = r"\s+".join(re.escape(str(c)) for c in cells)
        return any(re.search(rf"(^|\s){pattern}(\s|$)", line) for line in text.splitlines())

    client.force_login(people["staff"])
    whole = pdftotext(client.get("/stats/report/2026-03.pdf").content)
    assert row(whole, "江苏省", "x", "<5") and row(whole, "报名人次", 8, "—")
    narrowed = pdftotext(client.get("/stats/report/2026-03.pdf", {"province": "32"}).content)
    assert row(narrowed, "报名人次", COMPLEMENT, "—") and not row(narrowed, "报名人次", 6)
    assert not row(narrowed, "江苏省", 6)
    client.force_login(people["organiser"])
    assert row(pdftotext(client.get("/stats/report/2026-03.pdf", {"province": "32"}).content), "报名人次", 7, "—")
