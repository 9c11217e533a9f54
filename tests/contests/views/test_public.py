"""The pages and JSON anyone may open: contests, results, the live scoreboard page (filters, who
gets which board), the venue display, and scoreboard.json / events.json with the resumable feed."""

import re

import pytest

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contests import selectors, services
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import answer, cid, right, theory_answer_save
from tests.contests.helpers import page_config as config

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- contests and results


def test_anyone_sees_the_contest_and_its_tracks(client, draft_round):
    contest = draft_round.track.contest
    assert contest.name in client.get(reverse("contests:list")).content.decode()
    body = client.get(reverse("contests:detail", args=[contest.slug])).content.decode()
    assert draft_round.track.name in body and "登录后报名参赛" in body
    assert "2026年度" in body and "理论 30% + 实操 70%" in body


def test_the_contest_page_in_english_reads_as_english(client, draft_round):
    """Not "2026Year", "Log in to enrol" or "Theory 30.00%"."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = " ".join(
        client.get(reverse("contests:detail", args=[draft_round.track.contest.slug])).content.decode().split()
    )
    assert '<span class="muted">2026</span>' in body and "Year" not in body
    assert "Log in to register" in body and "enrol" not in body
    assert "Theory 30% + practical 70%" in body and ".00%" not in body


def test_results_stay_hidden_until_published(client, running_round, organiser):
    services.round_end(round=running_round, by=organiser)
    assert client.get(reverse("contests:results", args=[running_round.pk])).status_code == 404
    client.force_login(organiser)
    assert "未公布" in client.get(reverse("contests:results", args=[running_round.pk])).content.decode()


# ---------------------------------------------------------------- the live scoreboard page


def test_contest_page_links_approved_contestants_to_their_console(client, running_round, entry, learner):
    client.force_login(learner)
    body = client.get(reverse("contests:detail", args=[running_round.track.contest.slug])).content.decode()
    assert reverse("contests:contestant", args=[running_round.pk]) in body
    assert reverse("contests:scoreboard", args=[running_round.pk]) in body


def test_scoreboard_page_renders_the_board_and_the_contestants_own_row(
    client, running_round, entry, other_entry, paper, learner
):
    theory_answer_save(entry=other_entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    url = reverse("contests:scoreboard", args=[running_round.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    cfg = config(anonymous)
    assert (cfg["view"], cfg["audience"], cfg["entry"], cfg["mode"]) == ("top", "public", None, "page")
    assert cfg["socket"] == f"/ws/rounds/{running_round.pk}/board/?view=top&audience=public"
    body = anonymous.content.decode()
    assert body.index("李四") < body.index("张三")
    client.force_login(learner)
    mine = client.get(url + "?view=all")
    assert config(mine)["entry"] == entry.pk and config(mine)["view"] == "all"
    assert "data-mine-card" in mine.content.decode() and 'data-filter="province"' in mine.content.decode()


def test_staff_get_the_live_board_but_the_venue_display_is_always_public(
    client, running_round, entry, other_entry, paper, organiser, clock
):
    clock.move_to(T0 + minutes(61))
    theory_answer_save(entry=other_entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    client.force_login(organiser)
    page = client.get(reverse("contests:scoreboard", args=[running_round.pk]))
    assert config(page)["audience"] == "staff" and "公众榜已封榜" in page.content.decode()
    display = client.get(reverse("contests:display", args=[running_round.pk]))
    cfg = config(display)
    assert (cfg["audience"], cfg["mode"], cfg["view"]) == ("public", "display", "all")
    assert cfg["socket"].endswith("audience=public")
    body = display.content.decode()
    assert 'class="display"' in body and "10.00" not in body  # the hidden change stays hidden


def rendered(body: str) -> list[tuple[str, str]]:
    """(rank, name) of the rows the page rendered, in order."""
    return re.findall(r'<td class="num rank">(\d+)</td><td>([^<]+)</td>', body)


def test_scoreboard_page_filters_by_province_and_organisation_keeping_overall_ranks(
    client, running_round, entry, other_entry, paper
):
    answer(entry, paper[0])  # 张三 (32, 甲公司) first, 李四 (44, 乙公司) second
    url = reverse("contests:scoreboard", args=[running_round.pk])
    everyone = client.get(url + "?view=all").content.decode()
    assert rendered(everyone) == [("1", "张三"), ("2", "李四")]

    guangdong = client.get(url + "?province=44")  # a filter opens the full board
    body = guangdong.content.decode()
    assert rendered(body) == [("2", "李四")] and "张三" not in body
    assert '<option value="44" selected>' in body and 'name="view" value="all"' in body
    cfg = config(guangdong)
    assert cfg["view"] == "all" and cfg["filters"] == {"province": "44", "organisation": ""}
    assert cfg["socket"] == f"/ws/rounds/{running_round.pk}/board/?view=all&audience=public"

    company = client.get(url, {"view": "all", "organisation": "甲公司"})
    body = company.content.decode()
    assert rendered(body) == [("1", "张三")] and "<option selected>甲公司</option>" in body
    assert config(company)["filters"] == {"province": "", "organisation": "甲公司"}
    assert rendered(client.get(url + "?province=11").content.decode()) == []


def test_the_public_board_names_provinces_in_the_viewers_language_whoever_built_it_first(
    client, running_round, entry, other_entry, paper
):
    """The board is cached per change: a Chinese visitor's board must not give English ones 江苏省."""
    answer(entry, paper[0])
    page = reverse("contests:scoreboard", args=[running_round.pk])
    snapshot = reverse("contests:scoreboard_json", args=[running_round.pk])
    chinese = client.get(page + "?view=all").content.decode()
    assert "<td>江苏省</td>" in chinese and "<td>广东省</td>" in chinese
    assert {r["province_name"] for r in client.get(snapshot).json()["rows"]} == {"江苏省", "广东省"}

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(page + "?view=all")
    body = english.content.decode()
    assert "<td>Jiangsu</td>" in body and "<td>Guangdong</td>" in body and "江苏省" not in body
    assert config(english)["provinces"]["32"] == "Jiangsu"  # what scoreboard.js shows for a row's code
    assert {r["province_name"] for r in client.get(snapshot).json()["rows"]} == {"Jiangsu", "Guangdong"}


def test_the_public_page_shows_the_frozen_board_and_organisers_the_live_one(
    client, running_round, entry, other_entry, paper, organiser, judge, clock
):
    clock.move_to(T0 + minutes(61))  # inside the freeze
    answer(other_entry, paper[0])
    url = reverse("contests:scoreboard", args=[running_round.pk]) + "?view=all"
    public = client.get(url).content.decode()
    assert '<p class="banner" data-frozen >' in public  # shown, not hidden
    assert "10.00" not in public and rendered(public)[0] == ("1", "张三")
    client.force_login(organiser)
    live = client.get(url).content.decode()
    assert rendered(live)[0] == ("1", "李四") and "10.00" in live
    client.force_login(judge)  # blind judging: the public board until the results are out
    judging = client.get(url).content.decode()
    assert "10.00" not in judging and rendered(judging)[0] == ("1", "张三")


def test_unknown_round_pages_are_404(client, db):
    for name in ("scoreboard", "display", "results"):
        assert client.get(reverse(f"contests:{name}", args=[999_999])).status_code == 404


# ---------------------------------------------------------------- scoreboard.json and events.json


def get(client, name, rnd, **params):
    response = client.get(reverse(f"contests:{name}", args=[rnd.pk]), params)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_snapshot_is_public_and_frozen_for_visitors_and_judges_and_live_for_organisers(
    client, running_round, entry, other_entry, paper, organiser, judge, learner, clock
):
    answer(entry, paper[0])
    seq = selectors.board_last_seq(running_round)  # the public's: the changes in the freeze do not count
    clock.move_to(T0 + minutes(61))
    answer(other_entry, paper[0])
    answer(other_entry, paper[1])
    assert selectors.board_last_seq(running_round) == seq + 2

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

    client.force_login(organiser)
    _status, live = get(client, "scoreboard_json", running_round)
    assert live["audience"] == "staff"
    assert [(r["name"], r["total"]) for r in live["rows"]] == [("李四", "20.00"), ("张三", "10.00")]
    client.force_login(judge)  # blind judging: the public board until the results are out
    _status, judging = get(client, "scoreboard_json", running_round)
    assert judging["audience"] == "public" and judging["rows"] == public["rows"]

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
    assert [(e["seq"], e["kind"], e["payload"]["name"], e["payload"]["total"]) for e in feed["events"]] == [
        (start + 1, "row", "张三", "10.00"),
        (start + 2, "row", "李四", "10.00"),
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


def ranked_reads(queries: CaptureQueriesContext) -> int:
    """Reads of the whole ranked board: what building a full snapshot costs."""
    return sum('FROM "contests_scoreboardrow"' in q["sql"] and "ORDER BY" in q["sql"] for q in queries)


def test_a_flood_of_full_board_requests_costs_one_build_per_change(
    client, running_round, entry, other_entry, paper, clock
):
    flood = [
        ("scoreboard_json", {}),
        ("scoreboard_json", {"view": "top"}),
        ("scoreboard_json", {"province": "44"}),
        ("events_json", {"since": 0}),
        ("events_json", {"since": 10**18}),  # ahead of the feed: a snapshot
    ]
    flood += [("scoreboard_json", {"organisation": f"随机单位{n}"}) for n in range(20)]

    def requests() -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            answers = [get(client, name, running_round, **params) for _round in range(5) for name, params in flood]
        assert {status for status, _body in answers} == {200}
        return ranked_reads(queries), answers[0][1]

    builds, board = requests()
    assert builds == 2  # the public board, all rows and top rows: everything else is picked from those
    assert [(r["name"], r["total"]) for r in board["rows"]] == [("张三", "0.00"), ("李四", "0.00")]

    answer(other_entry, paper[0])  # the board moves on: one new build
    builds, board = requests()
    assert builds == 2
    assert [(r["name"], r["total"]) for r in board["rows"]] == [("李四", "10.00"), ("张三", "0.00")]
    assert requests()[0] == 0  # nothing changed since

    clock.move_to(T0 + minutes(61))  # the freeze begins with no feed event: a new build too
    builds, board = requests()
    assert builds == 2 and board["frozen"] is True


def test_a_since_no_database_holds_is_a_400_not_a_500(client, running_round):
    for since in ("9" * 5000, str(2**63), "٣", "-1"):
        status, body = get(client, "events_json", running_round, since=since)
        assert (status, body["message"]) == (400, "请提供有效的 since 参数")
    assert (
        get(client, "events_json", running_round, since=str(2**63 - 1))[1]["snapshot"]["type"] == "scoreboard.snapshot"
    )
