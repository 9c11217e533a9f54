import json
from decimal import Decimal

import pytest

from contests import selectors, services
from contests.models import Entry, Round, Track
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, right
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def answer(entry, question, payload=None):
    payload = right(question) if payload is None else payload
    services.theory_answer_save(entry=entry, question_id=question.pk, client_id=cid(), answer=payload)


def ranks(rnd, *, live):
    return [(r["name"], r["rank"], r["total"]) for r in selectors.board_ranked(Round.objects.get(pk=rnd.pk), live=live)]


@pytest.fixture
def four(running_round, organiser, entry, other_entry):
    """Four contestants: 张三 (learner), 李四 (other_learner), 王五, 赵六, in provinces 32, 44, 44, 11."""
    extra = []
    for username, name, org, province in (("w5", "王五", "乙公司", "44"), ("z6", "赵六", "丙公司", "11")):
        registration = services.registration_submit(
            user=UserFactory(username=username, real_name=name),
            track=running_round.track,
            organisation=org,
            province=province,
        )
        services.registration_approve(registration=registration, by=organiser)
        extra.append(Entry.objects.get(registration=registration))
    return [entry, other_entry, *extra]


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


def test_the_public_board_freezes_while_organisers_and_judges_see_it_live(
    running_round, entry, other_entry, paper, clock
):
    clock.move_to(T0 + minutes(59))
    answer(entry, paper[0])
    public_seq = selectors.board_last_seq(running_round)
    clock.move_to(T0 + minutes(61))  # freeze_minutes=30 before the 90-minute end
    answer(other_entry, paper[0])
    answer(other_entry, paper[1])
    assert ranks(running_round, live=True) == [("李四", 1, "20.00"), ("张三", 2, "10.00")]
    assert ranks(running_round, live=False) == [("张三", 1, "10.00"), ("李四", 2, "0.00")]
    assert selectors.scoreboard_entry_row(running_round, other_entry.pk, live=False)["total"] == "0.00"
    public = selectors.scoreboard_snapshot(running_round, live=False)
    assert public["frozen"] and public["seq"] == public_seq + 2
    json.dumps(public)
    assert selectors.events_since(running_round, public_seq, live=False) == []
    hidden = selectors.events_since(running_round, public_seq, live=True)
    assert [e["payload"]["total"] for e in hidden] == ["10.00", "20.00"]


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


def test_reveal_goes_bottom_up_through_rows_with_hidden_changes(four, running_round, organiser, paper, clock):
    a, b, c, d = four  # before the freeze: 张三 30, 李四 20, 王五 10, 赵六 0
    for n, e in enumerate((a, b, c)):
        clock.move_to(T0 + minutes(n + 1))
        for q in paper[: 3 - n]:
            answer(e, q)
    clock.move_to(T0 + minutes(70))
    for q in paper:
        answer(d, q)  # 赵六 30, hidden
    answer(c, paper[1])  # 王五 20, hidden
    assert ranks(running_round, live=False) == [
        ("张三", 1, "30.00"),
        ("李四", 2, "20.00"),
        ("王五", 3, "10.00"),
        ("赵六", 4, "0.00"),
    ]
    with pytest.raises(Exception, match="不能执行此操作"):
        services.round_reveal_next(round=running_round, by=organiser)
    services.round_end(round=running_round, by=organiser)
    before = selectors.board_last_seq(running_round)
    first = services.round_reveal_next(round=running_round, by=organiser)
    assert first.entry_id == d.pk
    assert ranks(running_round, live=False)[:2] == [("张三", 1, "30.00"), ("赵六", 2, "30.00")]
    second = services.round_reveal_next(round=running_round, by=organiser)
    assert second.entry_id == c.pk
    assert services.round_reveal_next(round=running_round, by=organiser) is None
    assert ranks(running_round, live=False) == ranks(running_round, live=True)
    assert Round.objects.get(pk=running_round.pk).reveal_cursor == 2
    reveals = selectors.events_since(running_round, before, live=False)
    assert [(e["kind"], e["payload"]["entry"]) for e in reveals] == [("reveal", d.pk), ("reveal", c.pk)]


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
    assert selectors.published_awards(rnd) == []
    results = selectors.round_results(rnd)  # 3 scored entrants: 25 % each rounds down to 0, 1, 2
    assert [(r.name, r.rank, r.award) for r in results] == [
        ("张三", 1, "second"),
        ("李四", 2, "third"),
        ("王五", 3, ""),
        ("赵六", 4, ""),
    ]
    services.round_publish_results(round=rnd, by=organiser)
    rnd.refresh_from_db()
    assert ranks(rnd, live=False) == ranks(rnd, live=True)
    awards = selectors.published_awards(rnd)
    assert [(a.registration.user.username, a.award, a.rank, a.total) for a in awards] == [
        ("learner", "second", 1, Decimal("30.00")),
        ("learner2", "third", 2, Decimal("20.00")),
    ]
    assert results[0].award_label == "二等奖"


def test_awards_by_rank(four, running_round, paper, clock):
    Track.objects.filter(pk=running_round.track_id).update(
        award_mode="rank", award_first=1, award_second=1, award_third=1, award_merit=5
    )
    for n, e in enumerate(four):
        clock.move_to(T0 + minutes(n + 1))
        answer(e, paper[0])
    rnd = Round.objects.select_related("track").get(pk=running_round.pk)
    assert [r.award for r in selectors.round_results(rnd)] == ["first", "second", "third", "merit"]
