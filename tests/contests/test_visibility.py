"""Hidden parts of a round's scores (contests.visibility): the rule, the board, the feed, the admin.

The socket-level leak test over every message type is tests/contests/test_leaks.py.
"""

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests import selectors, services, visibility
from contests.liveboard import Ranking
from contests.models import Round, RoundStatus
from tests.contests.helpers import answer, criterion_of, page_config, results_publish

pytestmark = pytest.mark.django_db


def board_json(rnd, client=None, **query):
    url = reverse("contests:scoreboard_json", args=[rnd.pk])
    return (client or Client()).get(url, query).json()


def feed_json(rnd, since):
    return Client().get(reverse("contests:events_json", args=[rnd.pk]), {"since": since}).json()


def settings_of(rnd, **values) -> Round:
    Round.objects.filter(pk=rnd.pk).update(**values)
    return Round.objects.select_related("track").get(pk=rnd.pk)


# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    ("status", "theory_live", "practical_live", "hidden"),
    [
        (RoundStatus.DRAFT, False, True, (True, False)),
        (RoundStatus.LOBBY, False, True, (True, False)),
        (RoundStatus.RUNNING, False, True, (True, False)),
        (RoundStatus.PAUSED, False, False, (True, True)),
        (RoundStatus.RUNNING, True, False, (False, True)),
        (RoundStatus.RUNNING, True, True, (False, False)),
        (RoundStatus.ENDED, False, False, (False, False)),
        (RoundStatus.PUBLISHED, False, False, (False, False)),
        (RoundStatus.FINAL, False, False, (False, False)),
    ],
)
def test_what_is_hidden_until_the_round_is_over(status, theory_live, practical_live, hidden):
    rnd = Round(status=status, theory_live=theory_live, practical_live=practical_live)
    parts = visibility.hidden(rnd)
    assert (parts.theory, parts.practical) == hidden


def test_a_round_without_a_part_hides_nothing_of_it():
    rnd = Round(status=RoundStatus.RUNNING, has_theory=False, practical_live=True)
    assert not visibility.hidden(rnd).any


def test_a_hidden_row_keeps_what_is_visible_and_nothing_derived():
    row = {"entry": 1, "theory": "10.0", "practical": "30.00", "total": "31.00", "tasks": {"4": "30.0"}}
    row |= {"reached_at": "2026-05-20T09:00:00+00:00", "rank": 1}
    assert visibility.Hidden(theory=True).row(row) == {
        **row,
        "theory": None,
        "total": None,
        "reached_at": None,
        "rank": None,
    }
    assert visibility.Hidden(practical=True).row(row)["tasks"] == {}
    assert visibility.NOTHING.row(row) is row


def test_rows_without_a_total_keep_entry_order_and_have_no_rank():
    ranking = Ranking()
    for entry in (3, 1, 2):
        ranking.put({"entry": entry, "total": None, "reached_at": None})
    assert [(r["entry"], r["rank"]) for r in ranking.ranked()] == [(1, None), (2, None), (3, None)]
    assert ranking.rank(2) is None


# ------------------------------------------------------------------ the board and the feed


@pytest.fixture
def draft_round(draft_round):
    return settings_of(draft_round, theory_live=False)


def test_hidden_theory_moves_neither_the_public_board_nor_its_feed(running_round, entry, paper, organiser):
    before, seq = board_json(running_round), selectors.board_last_public_seq(running_round)
    answer(entry, paper[0])
    assert board_json(running_round) == before
    assert board_json(running_round, audience="staff") == before  # asking for the staff board changes nothing
    assert [(r["theory"], r["total"], r["rank"]) for r in before["rows"]] == [(None, None, None)] * 2
    assert feed_json(running_round, seq)["events"] == []
    staff = Client()
    staff.force_login(organiser)
    live = board_json(running_round, staff)["rows"][0]
    assert (live["name"], live["theory"], live["total"], live["rank"]) == ("张三", "10.0", "10.00", 1)


def test_shown_live_the_public_sees_theory_total_and_rank(running_round, entry, paper):
    rnd = settings_of(running_round, theory_live=True)
    seq = selectors.board_last_public_seq(rnd)
    answer(entry, paper[0])
    rows = board_json(rnd)["rows"]
    assert [(r["name"], r["theory"], r["total"], r["rank"]) for r in rows] == [
        ("张三", "10.0", "10.00", 1),
        ("李四", "0.0", "0.00", 2),
    ]
    assert [e["payload"]["theory"] for e in feed_json(rnd, seq)["events"]] == ["10.0"]


def test_practical_hidden_too_when_the_round_says_so(running_round, entry, judge, organiser):
    rnd = settings_of(running_round, practical_live=False)
    before, seq = board_json(rnd), selectors.board_last_public_seq(rnd)
    services.judge_score_submit(
        judge=judge, entry=entry, criterion=criterion_of(rnd, "measurement"), value=30, confirm=True
    )
    after = board_json(rnd)
    assert after == before and {(r["practical"], str(r["tasks"])) for r in after["rows"]} == {(None, "{}")}
    assert feed_json(rnd, seq) == {**feed_json(rnd, seq), "events": [], "seq": seq}
    staff = Client()
    staff.force_login(organiser)
    assert board_json(rnd, staff)["rows"][0]["practical"] == "30.00"


def test_a_confirmed_practical_score_shows_when_practical_is_live(running_round, entry, judge):
    seq = selectors.board_last_public_seq(running_round)
    services.judge_score_submit(
        judge=judge, entry=entry, criterion=criterion_of(running_round, "measurement"), value=30, confirm=True
    )
    (event,) = feed_json(running_round, seq)["events"]
    assert (event["payload"]["practical"], event["payload"]["theory"], event["payload"]["total"]) == (
        "30.00",
        None,
        None,
    )


def test_after_the_end_the_results_show_as_usual(running_round, entry, paper, organiser):
    answer(entry, paper[0])
    services.round_end(round=running_round, by=organiser)
    rows = board_json(running_round)["rows"]
    assert [(r["theory"], r["rank"]) for r in rows] == [("10.0", 1), ("0.0", 2)]
    assert Client().get(reverse("contests:results", args=[running_round.pk])).status_code == 404
    results_publish(running_round, by=organiser)
    assert Client().get(reverse("contests:results", args=[running_round.pk])).status_code == 200


def test_the_pages_say_what_is_hidden(running_round, learner, organiser):
    me, staff = Client(), Client()
    me.force_login(learner)
    staff.force_login(organiser)
    page = Client().get(reverse("contests:scoreboard", args=[running_round.pk])).content.decode()
    assert "理论成绩在比赛结束后公布" in page
    console = me.get(reverse("contests:contestant", args=[running_round.pk]))
    assert "理论成绩在比赛结束后公布" in console.content.decode()
    assert page_config(console)["strings"]["answered"] == "已作答 %(n)s / %(total)s 题"
    live = staff.get(reverse("contests:scoreboard", args=[running_round.pk])).content.decode()
    assert "您看到的是实时成绩" in live


# ------------------------------------------------------------------ the admin


def test_the_round_form_offers_both_options(client, organiser, draft_round):
    client.force_login(organiser)
    page = client.get(reverse("contests_round:edit", args=[draft_round.pk])).content.decode()
    assert 'name="theory_live"' in page and 'name="practical_live"' in page


def test_the_options_cannot_change_once_the_round_started(running_round):
    from contests.wagtail_hooks import RoundViewSet

    form_class = RoundViewSet.edit_handler.bind_to_model(Round).get_form_class()
    data = {
        "track": running_round.track_id,
        "stage": running_round.stage,
        "title": running_round.title,
        "has_theory": "on",
        "has_practical": "on",
        "starts_at": timezone.localtime(running_round.starts_at).strftime("%Y-%m-%d %H:%M:%S"),
        "ends_at": timezone.localtime(running_round.ends_at).strftime("%Y-%m-%d %H:%M:%S"),
        "freeze_minutes": running_round.freeze_minutes,
        "theory_live": "on",
        "practical_live": "on",
    }
    form = form_class(data, instance=running_round)
    assert not form.is_valid()
    assert "比赛开始后不能修改" in str(form.errors) and "理论成绩实时公开" in str(form.errors)
