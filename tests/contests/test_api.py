"""scoreboard.json and events.json: who gets which board, filters, and the resumable feed."""

import pytest

from django.urls import reverse

from contests import selectors, services
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, right, theory_answer_save

pytestmark = pytest.mark.django_db


def answer(entry, question):
    theory_answer_save(entry=entry, question_id=question.pk, client_id=cid(), answer=right(question))


def get(client, name, rnd, **params):
    response = client.get(reverse(f"contests:{name}", args=[rnd.pk]), params)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_snapshot_is_public_and_frozen_for_visitors_and_live_for_organisers_and_judges(
    client, running_round, entry, other_entry, paper, organiser, judge, learner, clock
):
    answer(entry, paper[0])
    clock.move_to(T0 + minutes(61))
    answer(other_entry, paper[0])
    answer(other_entry, paper[1])
    seq = selectors.board_last_seq(running_round)

    status, public = get(client, "scoreboard_json", running_round)
    assert status == 200
    assert {k: public[k] for k in ("type", "view", "audience", "seq", "frozen", "status", "entries")} == {
        "type": "scoreboard.snapshot",
        "view": "all",
        "audience": "public",
        "seq": seq,
        "frozen": True,
        "status": "running",
        "entries": 2,
    }
    assert [(r["name"], r["total"], r["rank"]) for r in public["rows"]] == [("张三", "10.00", 1), ("李四", "0.00", 2)]
    assert "mine" not in public

    for user in (organiser, judge):
        client.force_login(user)
        _status, live = get(client, "scoreboard_json", running_round)
        assert live["audience"] == "staff"
        assert [(r["name"], r["total"]) for r in live["rows"]] == [("李四", "20.00"), ("张三", "10.00")]

    client.force_login(learner)
    _status, mine = get(client, "scoreboard_json", running_round, view="top")
    assert mine["view"] == "top" and mine["audience"] == "public"
    assert (mine["mine"]["name"], mine["mine"]["rank"], mine["mine"]["total"]) == ("张三", 1, "10.00")


def test_snapshot_filters_by_province_and_organisation_keep_overall_ranks(
    client, running_round, entry, other_entry, paper
):
    answer(entry, paper[0])
    _status, guangdong = get(client, "scoreboard_json", running_round, province="44")
    assert [(r["name"], r["rank"]) for r in guangdong["rows"]] == [("李四", 2)]
    _status, company = get(client, "scoreboard_json", running_round, organisation="甲公司")
    assert [(r["name"], r["rank"]) for r in company["rows"]] == [("张三", 1)]


def test_feed_returns_events_after_since_or_a_snapshot(client, running_round, entry, other_entry, paper, organiser):
    start = selectors.board_last_seq(running_round)
    answer(entry, paper[0])
    answer(other_entry, paper[1])
    status, feed = get(client, "events_json", running_round, since=start)
    assert status == 200
    assert (feed["type"], feed["since"], feed["seq"]) == ("scoreboard.events", start, start + 2)
    assert [(e["seq"], e["kind"], e["payload"]["name"]) for e in feed["events"]] == [
        (start + 1, "row", "张三"),
        (start + 2, "row", "李四"),
    ]
    _status, ahead = get(client, "events_json", running_round, since=start + 50)
    assert ahead["snapshot"]["type"] == "scoreboard.snapshot" and ahead["snapshot"]["seq"] == start + 2
    services.round_pause(round=running_round, by=organiser)  # a state change cannot be replayed row by row
    _status, after_state = get(client, "events_json", running_round, since=start + 2)
    assert after_state["snapshot"]["status"] == "paused"
    status, bad = get(client, "events_json", running_round, since="x")
    assert status == 400 and bad["error"] == "bad_request"


def test_unknown_round_is_404(client, db):
    assert client.get(reverse("contests:scoreboard_json", args=[999_999])).status_code == 404
    assert client.get(reverse("contests:events_json", args=[999_999]) + "?since=0").status_code == 404
