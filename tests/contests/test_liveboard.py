"""The in-memory ranking behind board flushes: same ranks as the database, moves, ties."""

from contests.liveboard import Ranking


def row(entry, total, at="2026-05-20T09:00:00+00:00"):
    return {"entry": entry, "total": total, "reached_at": at}


def ranks(ranking):
    return [(r["entry"], r["rank"]) for r in ranking.ranked()]


def test_ties_share_a_rank_and_the_earlier_time_goes_first():
    ranking = Ranking()
    ranking.put(row(1, "10.00", "2026-05-20T09:05:00+00:00"))
    ranking.put(row(2, "10.00", "2026-05-20T09:01:00+00:00"))
    ranking.put(row(3, "20.00"))
    ranking.put(row(4, "10.00", "2026-05-20T09:01:00+00:00"))
    assert ranks(ranking) == [(3, 1), (2, 2), (4, 2), (1, 4)]
    assert [ranking.rank(e) for e in (1, 2, 3, 4)] == [4, 2, 1, 2]


def test_a_changed_row_moves_and_an_unchanged_one_reports_no_change():
    ranking = Ranking()
    for entry in (1, 2, 3):
        ranking.put(row(entry, "0.00"))
    assert ranking.put(row(3, "30.00", "2026-05-20T09:10:00.123456+00:00")) is True
    assert ranking.put(row(3, "30.00", "2026-05-20T09:10:00.123456+00:00")) is False
    assert ranks(ranking)[:2] == [(3, 1), (1, 2)]
    ranking.put(row(3, "0.00", "2026-05-20T09:12:00+00:00"))
    assert ranks(ranking) == [(1, 1), (2, 1), (3, 3)]
    ranking.drop(1)
    assert ranks(ranking) == [(2, 1), (3, 2)] and len(ranking) == 2
    assert ranking.ranked(limit=1) == [{**row(2, "0.00"), "rank": 1}]
