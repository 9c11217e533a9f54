"""Complementary suppression: outside the organiser's view, a "<5" cell cannot be worked out by
subtracting the shown rows from the total, in the JSON or in the XLSX; the organiser's view is unchanged.

The attacker below knows the rule: a "<5" is 1–4, an "x" is 5 or more and no larger than the smallest
count still shown (complements are taken smallest first). It enumerates every table consistent with
what is shown and the total, and must find more than one value for each "<5".
"""

import io
import itertools
import random

import pytest
from openpyxl import load_workbook

from stats.selectors import COMPLEMENT, SUPPRESSED, complements, present

MARCH = "2026-03..2026-03"


def _shown(counts: list[int]) -> tuple[list, object]:
    """A table's counts and total as a viewer outside the organiser's view sees them."""
    hidden, hide_total = complements(counts)
    rows = [SUPPRESSED if 0 < n < 5 else COMPLEMENT if i in hidden else n for i, n in enumerate(counts)]
    total = sum(counts)
    return rows, (SUPPRESSED if 0 < total < 5 else COMPLEMENT if hide_total else total)


def _possible_values(rows: list, total) -> list[set[int]]:
    """For each "<5" row, every value it can take in a table consistent with what is shown."""
    if not isinstance(total, int):
        return [set(range(1, 5)) for row in rows if row == SUPPRESSED]
    known = [row for row in rows if isinstance(row, int)]
    ceiling = min((n for n in known if n > 0), default=total)
    hidden = [i for i, row in enumerate(rows) if not isinstance(row, int)]
    ranges = [range(1, 5) if rows[i] == SUPPRESSED else range(5, ceiling + 1) for i in hidden]
    left = total - sum(known)
    seen = {i: set() for i in hidden if rows[i] == SUPPRESSED}
    for values in itertools.product(*ranges):
        if sum(values) == left:
            for i, value in zip(hidden, values, strict=True):
                if i in seen:
                    seen[i].add(value)
    return list(seen.values())


@pytest.mark.parametrize(
    "counts",
    [[6, 2], [3, 20, 50], [1, 5, 5, 50], [1, 1, 40], [4, 4, 9], [2, 0, 0, 7], [1, 5], [3], [5, 6, 7]],
)
def test_no_small_cell_can_be_recovered_by_subtraction(counts):
    rows, total = _shown(counts)
    for values in _possible_values(rows, total):
        assert len(values) > 1, (counts, rows, total)


def test_random_tables_never_leak_a_small_cell():
    rng = random.Random(15)
    for _ in range(400):
        counts = [rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 30]) for _ in range(rng.randrange(1, 6))]
        rows, total = _shown(counts)
        for values in _possible_values(rows, total):
            assert len(values) > 1, (counts, rows, total)


def test_tables_without_small_cells_hide_nothing():
    assert complements([5, 8, 0, 120]) == (set(), False)
    assert complements([]) == (set(), False)


def test_the_complement_is_the_next_smallest_row():
    assert complements([40, 3, 9, 12]) == ({2}, False)


@pytest.fixture
def viewers(people, refreshed):
    return people


def _json(client, user, **params):
    client.force_login(user)
    response = client.get("/stats/api/enrolments.json", {"period": MARCH, **params})
    assert response.status_code == 200, response.content.decode()
    return response.json()


def test_provider_staff_cannot_subtract_a_small_province_from_the_json_total(client, viewers):
    table = _json(client, viewers["staff"], by="province")
    rows = {row["key"]: row["count"] for row in table["rows"]}
    assert rows == {"32": COMPLEMENT, "33": SUPPRESSED} and table["total"] == {"count": 8}
    for values in _possible_values(list(rows.values()), table["total"]["count"]):
        assert len(values) > 1


def test_provider_staff_cannot_subtract_it_from_the_xlsx_either(client, viewers):
    client.force_login(viewers["staff"])
    response = client.get("/stats/export/enrolments.xlsx", {"period": MARCH, "by": "province"})
    assert response.status_code == 200
    lines = [tuple(c.value for c in row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    header = next(i for i, line in enumerate(lines) if line[2] == "数量")
    end = next(i for i, line in enumerate(lines) if line[0] == "合计")
    body, total = [line[2] for line in lines[header + 1 : end]], lines[end][2]
    assert ("江苏省", "32", COMPLEMENT) in lines and ("浙江省", "33", SUPPRESSED) in lines and total == 8
    for values in _possible_values(body, total):
        assert len(values) > 1


def test_a_complements_hours_are_hidden_with_its_count():
    assert present(12, 36000, metric="study", suppress=True, complement=True) == {"count": "x", "hours": "x"}
    assert present(12, 36000, metric="study", suppress=False, complement=True) == {"count": 12, "hours": 10.0}


def test_the_organisers_view_is_unchanged(client, viewers):
    table = _json(client, viewers["organiser"], by="province")
    rows = {row["key"]: row["count"] for row in table["rows"]}
    assert rows == {"32": 7, "33": 2, "": 1} and table["total"] == {"count": 10}


def test_the_page_explains_the_x(client, viewers):
    client.force_login(viewers["staff"])
    page = client.get("/stats/", {"period": MARCH, "by": "province"}).content.decode()
    assert "<td>x</td>" in page and "“x”" in page
