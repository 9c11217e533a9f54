"""contests.selection: the top N overall or per group, under each tie rule (pure, no database)."""

import datetime as dt
from decimal import Decimal

import pytest

from contests import selection
from contests.selection import BROKEN, SHARED, Candidate

T = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)


def c(pk, total, at=0, theory=0, group=""):
    return Candidate(pk, Decimal(total), T + dt.timedelta(seconds=at), Decimal(theory), group)


def ids(result):
    return [p.candidate.registration_id for p in result.picks]


def test_top_n_overall_in_rank_order():
    rows = [c(1, 50), c(2, 90), c(3, 70), c(4, 80)]
    result = selection.select(rows, n=2, tie_rule=SHARED)
    assert ids(result) == [2, 4]
    assert [p.place for p in result.picks] == [1, 2]
    assert result.left_out == 2
    assert result.cutoff == {"": Decimal(80)}


def test_shared_rule_advances_everyone_tied_at_the_cut_off():
    rows = [c(1, 90), c(2, 80, at=5), c(3, 80, at=1), c(4, 80, at=9), c(5, 70)]
    result = selection.select(rows, n=2, tie_rule=SHARED)
    assert sorted(ids(result)) == [1, 2, 3, 4]
    assert [p.tied_at_cutoff for p in result.picks] == [False, True, True, True]
    assert result.left_out == 1


def test_broken_rule_compares_time_then_theory():
    rows = [c(1, 90), c(2, 80, at=5), c(3, 80, at=1), c(4, 80, at=1, theory=30), c(5, 80, at=1, theory=20)]
    result = selection.select(rows, n=3, tie_rule=BROKEN)
    # 4 and 5 reached 80 at the same moment as 3, with more theory: 4 (30), 5 (20), then 3 (0).
    assert ids(result) == [1, 4, 5]
    assert not any(p.tied_at_cutoff for p in result.picks)


def test_broken_rule_rows_equal_in_every_key_all_advance_unless_strict():
    rows = [c(1, 90), c(3, 80, at=1, theory=5), c(2, 80, at=1, theory=5), c(4, 10)]
    loose = selection.select(rows, n=2, tie_rule=BROKEN)
    assert ids(loose) == [1, 2, 3]
    assert [p.tied_at_cutoff for p in loose.picks] == [False, True, True]
    strict = selection.select(rows, n=2, tie_rule=BROKEN, strict=True)
    assert ids(strict) == [1, 2]  # the earlier registration
    assert strict.picks[-1].tied_at_cutoff


def test_per_group_top_n_each_with_its_own_ties():
    rows = [
        c(1, 90, group="32"),
        c(2, 85, group="32"),
        c(3, 85, group="32"),
        c(4, 60, group="44"),
        c(5, 95, group="44"),
        c(6, 40, group="44"),
    ]
    result = selection.select(rows, n=1, tie_rule=SHARED, per_group=True)
    assert sorted(ids(result)) == [1, 5]
    result = selection.select(rows, n=2, tie_rule=SHARED, per_group=True)
    assert sorted(ids(result)) == [1, 2, 3, 4, 5]
    assert result.cutoff == {"44": Decimal(60), "32": Decimal(85)}


def test_limits_override_n_per_group_and_zero_picks_nobody():
    rows = [c(1, 90, group="a"), c(2, 80, group="a"), c(3, 70, group="b")]
    result = selection.select(rows, n=2, tie_rule=BROKEN, per_group=True, limits={"a": 1, "b": 0}, strict=True)
    assert ids(result) == [1]


def test_zero_totals_never_go_on():
    result = selection.select([c(1, 0), c(2, 0), c(3, 5)], n=3, tie_rule=SHARED)
    assert ids(result) == [3]
    assert result.left_out == 0


@pytest.mark.parametrize("n", [0, -3])
def test_no_places_no_picks(n):
    assert selection.select([c(1, 10)], n=n, tie_rule=SHARED).picks == []


def test_an_unknown_tie_rule_is_refused():
    with pytest.raises(ValueError):
        selection.select([c(1, 10)], n=1, tie_rule="coin")
