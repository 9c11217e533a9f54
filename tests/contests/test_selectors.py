"""Reads: the paper without keys, own answers, the ranked board and its filters, the feed, results
and awards."""

import json
from decimal import Decimal

import pytest

from contests import selectors, services
from contests.models import Entry, Round, Track
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import answer, cid, ranks, results_publish, right, theory_answer_save

pytestmark = pytest.mark.django_db


def save(entry, question, payload, client_id=None, **kw):
    return theory_answer_save(entry=entry, question_id=question.pk, client_id=client_id or cid(), answer=payload, **kw)


# ---------------------------------------------------------------- the paper and own answers


def test_the_paper_never_carries_answer_keys(entry, paper, running_round):
    running_round.shuffle_questions = running_round.shuffle_options = True
    running_round.save()
    entry = Entry.objects.select_related("round__track").get(pk=entry.pk)
    payload = selectors.theory_paper_for(entry)
    text = json.dumps(payload, ensure_ascii=False)
    assert {q["id"] for q in payload["questions"]} == {q.pk for q in paper}
    for key in ('"answer"', '"explanation"', '"correct"', '"is_correct"', '"accepted"'):
        assert key not in text
    assert "因为A正确" not in text and "传输控制协议" not in text and "TCP" not in text
    for q in payload["questions"]:
        assert set(q) == {"id", "no", "kind", "kind_label", "stem", "score", "options", "blanks"}
        for option in q["options"]:
            assert set(option) == {"id", "label", "text"}
    fill = next(q for q in payload["questions"] if q["kind"] == "fill")
    assert fill["blanks"] == 2 and fill["options"] == []


def test_the_paper_arrives_only_when_the_round_starts(draft_round, organiser, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.select_related("round__track").get(registration__user=learner)
    assert selectors.theory_paper_for(entry) is None
    services.round_start(round=draft_round, by=organiser)
    entry = Entry.objects.select_related("round__track").get(pk=entry.pk)
    assert len(selectors.theory_paper_for(entry)["questions"]) == 3


def test_shuffled_order_is_stable_per_entry(entry, running_round, paper):
    running_round.shuffle_questions = running_round.shuffle_options = True
    running_round.save()
    orders = set()
    for seed in range(12):
        Entry.objects.filter(pk=entry.pk).update(shuffle_seed=seed)
        fresh = Entry.objects.select_related("round__track").get(pk=entry.pk)
        first, again = selectors.theory_paper_for(fresh), selectors.theory_paper_for(fresh)
        assert first == again
        orders.add(tuple(q["id"] for q in first["questions"]))
        single = next(q for q in first["questions"] if q["kind"] == "single")
        assert [o["label"] for o in single["options"]] == ["A", "B", "C", "D"]
    assert len(orders) > 1


def test_saved_answers_resume_without_grading(entry, paper):
    save(entry, paper[0], right(paper[0]))
    resumed = selectors.theory_answers_for(entry)
    assert set(resumed[paper[0].pk]) == {"answer", "client_id", "revision"}


# ---------------------------------------------------------------- the board, the feed, results


def test_ties_are_broken_by_who_reached_the_score_first(running_round, entry, other_entry, paper, clock):
    assert {r["rank"] for r in selectors.board_ranked(running_round, live=True)} == {1}  # same total, same time
    clock.move_to(T0 + minutes(3))
    answer(other_entry, paper[0])
    clock.move_to(T0 + minutes(5))
    answer(entry, paper[0])
    assert ranks(running_round, live=True) == [("李四", 1, "10.00"), ("张三", 2, "10.00")]
    clock.move_to(T0 + minutes(6))
    answer(entry, paper[1])
    assert ranks(running_round, live=True) == [("张三", 1, "20.00"), ("李四", 2, "10.00")]


def test_filters_by_province_and_organisation_keep_the_overall_rank(four, running_round, paper, clock):
    for n, e in enumerate(four):
        clock.move_to(T0 + minutes(n + 1))
        for q in paper[: 3 - n]:
            answer(e, q)
    guangdong = selectors.scoreboard_rows(running_round, live=True, province="44")
    assert [(r["name"], r["rank"], r["province_name"]) for r in guangdong] == [
        ("李四", 2, "广东省"),
        ("王五", 3, "广东省"),
    ]
    org = selectors.scoreboard_rows(running_round, live=True, organisation="丙公司")
    assert [(r["name"], r["rank"]) for r in org] == [("赵六", 4)]
    assert [r["rank"] for r in selectors.scoreboard_rows(running_round, live=True, offset=1, limit=2)] == [2, 3]


def test_a_contestant_sees_their_own_row_and_rank(four, running_round, paper, clock):
    answer(four[2], paper[0])
    mine = selectors.scoreboard_entry_row(running_round, four[2].pk, live=False)
    assert (mine["name"], mine["rank"], mine["theory"], mine["total"]) == ("王五", 1, "10.0", "10.00")
    assert selectors.scoreboard_entry_row(running_round, four[0].pk, live=False)["rank"] == 2


@pytest.mark.parametrize("theory_live", [True, False], ids=["theory shown", "theory hidden"])
def test_the_live_boards_one_read_gives_both_audiences_the_rows_of_the_ranked_reads(
    four, running_round, paper, clock, theory_live
):
    """A process's live board loads the staff's and the public's rows in one read (`board_rows`): the
    rows `board_ranked` gives each audience, frozen values and hidden parts included."""
    Round.objects.filter(pk=running_round.pk).update(theory_live=theory_live)
    clock.move_to(T0 + minutes(10))
    answer(four[0], paper[0])
    clock.move_to(T0 + minutes(70))  # during the freeze
    answer(four[0], paper[1])
    answer(four[1], paper[0])
    rnd = Round.objects.select_related("track").get(pk=running_round.pk)

    def unranked(rows):
        return sorted(({k: v for k, v in row.items() if k != "rank"} for row in rows), key=lambda row: row["entry"])

    live, public = selectors.board_rows(rnd)
    assert live == unranked(selectors.board_ranked(rnd, live=True))
    assert public == unranked(selectors.board_ranked(rnd, live=False))
    assert len(live) == 4 and public != live  # the freeze (and the hidden part) hold something back


def test_feed_replays_missed_events_or_asks_for_a_snapshot(running_round, entry, paper, monkeypatch):
    start = selectors.board_last_seq(running_round)
    answer(entry, paper[0])
    answer(entry, paper[1])
    missed = selectors.events_since(running_round, start, live=False)
    assert [e["seq"] for e in missed] == [start + 1, start + 2]
    assert missed[-1]["kind"] == "row" and missed[-1]["payload"]["entry"] == entry.pk
    assert selectors.events_since(running_round, start + 5, live=False) is None
    monkeypatch.setattr(selectors, "MAX_REPLAY_EVENTS", 1)
    assert selectors.events_since(running_round, start, live=False) is None


def test_publishing_shows_everything_and_awards_by_percentage(four, running_round, organiser, paper, clock):
    Track.objects.filter(pk=running_round.track_id).update(
        award_mode="percent", award_first=25, award_second=25, award_third=25, award_merit=0
    )
    for n, e in enumerate(four[:3]):
        clock.move_to(T0 + minutes(70 + n))  # all during the freeze
        for q in paper[: 3 - n]:
            answer(e, q)
    services.round_end(round=running_round, by=organiser)
    rnd = Round.objects.select_related("track").get(pk=running_round.pk)
    assert selectors.final_awards(rnd) == []
    results = selectors.round_results(rnd)  # 3 scored entrants: 25 %, 50 %, 75 % of 3 round half up to 1, 2, 2
    assert [(r.name, r.rank, r.award) for r in results] == [
        ("张三", 1, "first"),
        ("李四", 2, "second"),
        ("王五", 3, ""),
        ("赵六", 4, ""),
    ]
    results_publish(rnd, by=organiser)
    rnd.refresh_from_db()
    assert ranks(rnd, live=False) == ranks(rnd, live=True)
    assert selectors.final_awards(rnd) == []  # provisional (成绩公示中): no awards to issue from yet
    Round.objects.filter(pk=rnd.pk).update(status="final")
    rnd.refresh_from_db()
    awards = selectors.final_awards(rnd)
    assert [(a.registration.user.username, a.award, a.rank, a.total) for a in awards] == [
        ("learner", "first", 1, Decimal("30.00")),
        ("learner2", "second", 2, Decimal("20.00")),
    ]
    assert results[0].award_label == "一等奖"


def test_awards_by_rank(four, running_round, paper, clock):
    """Places 1 / 1 / 1 / 5: the last two tie on total (the earlier one ranks higher) and share 三等奖."""
    Track.objects.filter(pk=running_round.track_id).update(
        award_mode="rank", award_first=1, award_second=1, award_third=1, award_merit=5
    )
    for n, (e, count) in enumerate(zip(four, (3, 2, 1, 1), strict=True)):
        clock.move_to(T0 + minutes(n + 1))
        for q in paper[:count]:
            answer(e, q)
    rnd = Round.objects.select_related("track").get(pk=running_round.pk)
    results = selectors.round_results(rnd)
    assert [r.rank for r in results] == [1, 2, 3, 4]
    assert [r.award for r in results] == ["first", "second", "third", "third"]
