"""Award bands by percentage that surprise nobody (scoring.award_cutoffs, scoring.awards_assign): the
rounding rule with 1, 2, 3, 4, 7 and 10 scored entrants, ties sharing a band, zero scores."""

from decimal import Decimal

import pytest

from contests import scoring

D = Decimal
DEFAULT = [10, 20, 30, 0]  # the track's default bands: 一等奖 10 %, 二等奖 20 %, 三等奖 30 %


def awards(totals, bands=DEFAULT, mode="percent"):
    return scoring.awards_assign([D(t) for t in totals], mode=mode, bands=bands)


@pytest.mark.parametrize(
    ("entrants", "cutoffs"),
    [
        (1, [1, 1, 1, 1]),  # 10 % of 1 = 0.1, but 一等奖 has at least one place
        (2, [1, 1, 1, 1]),  # 30 % of 2 = 0.6 → 1; 60 % of 2 = 1.2 → 1
        (3, [1, 1, 2, 2]),  # 0.9 → 1; 1.8 → 2
        (4, [1, 1, 2, 2]),  # 1.2 → 1; 2.4 → 2
        (7, [1, 2, 4, 4]),  # 0.7 → 1; 2.1 → 2; 4.2 → 4
        (10, [1, 3, 6, 6]),
        (0, [0, 0, 0, 0]),
    ],
)
def test_percentage_bands_round_half_up_with_at_least_one_first_prize(entrants, cutoffs):
    assert scoring.award_cutoffs(mode="percent", bands=DEFAULT, entrants=entrants) == cutoffs


def test_half_a_place_rounds_up():
    assert scoring.award_cutoffs(mode="percent", bands=[25, 25, 0, 0], entrants=2) == [1, 1, 1, 1]
    assert scoring.award_cutoffs(mode="percent", bands=[10, 15, 0, 0], entrants=10) == [1, 3, 3, 3]  # 2.5 → 3
    assert scoring.award_cutoffs(mode="percent", bands=[5, 0, 0, 0], entrants=10) == [1, 1, 1, 1]  # 0.5 → 1


def test_an_empty_first_band_stays_empty():
    assert scoring.award_cutoffs(mode="percent", bands=[0, 50, 0, 0], entrants=4) == [0, 2, 2, 2]


def test_bands_never_pass_the_entrants():
    assert scoring.award_cutoffs(mode="percent", bands=[60, 40, 0, 0], entrants=1) == [1, 1, 1, 1]
    assert scoring.award_cutoffs(mode="rank", bands=[3, 3, 3, 3], entrants=4) == [3, 4, 4, 4]


def test_the_winner_of_four_gets_the_first_prize():
    """The reported case: with 4 scored entrants the first place received 二等奖."""
    # 10 / 30 / 60 % of 4 = 0.4, 1.2, 2.4 → places 1, 1, 2: no 二等奖 place, the runner-up gets 三等奖
    assert awards([90, 80, 70, 60]) == ["first", "third", "", ""]
    assert awards([90, 80, 70, 60], bands=[25, 25, 25, 0]) == ["first", "second", "third", ""]


@pytest.mark.parametrize(("n", "first"), [(1, 1), (2, 1), (3, 1), (4, 1), (7, 1), (10, 1)])
def test_every_round_with_a_scored_entrant_has_a_winner(n, first):
    result = awards([100 - i for i in range(n)])
    assert result.count("first") == first
    assert result[0] == "first"


def test_seven_and_ten_entrants():
    assert awards([100 - i for i in range(7)]) == ["first", "second", "third", "third", "", "", ""]
    assert awards([100 - i for i in range(10)]) == ["first"] + ["second"] * 2 + ["third"] * 3 + [""] * 4


def test_a_tie_at_a_band_edge_gets_the_better_band():
    # 10 entrants: 一等奖 is place 1; places 1 and 2 tie, so both get 一等奖
    assert awards([95, 95, 90, 85, 80, 75, 70, 65, 60, 55])[:3] == ["first", "first", "second"]
    # the tie straddles the 二等奖/三等奖 edge (places 3 and 4): both get 二等奖
    assert awards([99, 95, 90, 90, 80, 75, 70, 65, 60, 55])[:5] == ["first", "second", "second", "second", "third"]
    # a tie just past the last edge (places 6 and 7) takes place 6's band
    assert awards([99, 98, 97, 96, 95, 94, 94, 93, 92, 91])[5:8] == ["third", "third", ""]


def test_everyone_tied_shares_the_first_prize():
    assert awards([50, 50, 50, 50]) == ["first"] * 4


def test_zero_scores_get_nothing_and_are_not_counted():
    # 3 scored entrants count (places 1 / 1 / 2), the two with 0 get nothing
    assert awards([80, 70, 60, 0, 0]) == ["first", "third", "", "", ""]
    assert awards([80, 70, 0, 0, 0, 0, 0, 0, 0, 0]) == ["first"] + [""] * 9  # 2 scored: 0.6 → 1, 1.2 → 1
    assert awards([0, 0]) == ["", ""]
    assert awards([5, 0], bands=[100, 0, 0, 0]) == ["first", ""]


def test_awards_by_rank_share_on_ties_too():
    assert awards([90, 90, 80, 70], bands=[1, 1, 1, 0], mode="rank") == ["first", "first", "third", ""]


def test_the_rule_is_stated_in_words():
    assert "四舍五入" in scoring.award_rule_text("percent")
    assert "总分相同者获同一奖项" in scoring.award_rule_text("rank")
