"""Nothing a contestant or the public receives during a round tells right from wrong (contests.visibility).

A theory round driven through real sockets: a contestant answers right, then wrong. Every frame of
every message type the console and board sockets send, every JSON endpoint of contests/urls.py and
the board, display and console pages are checked: no theory score, and no total, time or rank derived
from it, reaches a contestant or the public, and the public outputs do not even change. Organisers and
judges see it all live. Shown live (`theory_live`), the public sees it; after the end, the results
follow the usual freeze, reveal and publication rules.
"""

import asyncio
import json
import re
from typing import Literal, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from django.test import Client
from django.urls import reverse

from contests import checks, events, practice, selectors, services
from contests import urls as contest_urls
from contests.models import Round
from tests.contests.helpers import cid, criterion_of, results_publish, right, wrong
from tests.contests.live import (  # noqa: F401
    Socket,
    _wagtail_roots_after_module,
    board,
    contestant,
    db,
    run,
    session_cookie,
    wagtail_roots,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]

# Every message type the wire declares (contests/events.py), sorted by whether it carries board rows.
# A type added later fails `test_every_message_type_of_the_wire_is_checked` until it is sorted here,
# and a row-carrying type must then be reached by the round below.
ROW_MESSAGES = {
    "hello",
    "scoreboard.snapshot",
    "scoreboard.changed",
    "scoreboard.top",
    "scoreboard.mine",
    "scoreboard.events",
}
ROWLESS_MESSAGES = {
    "paper",
    "round.state",
    "answer.ack",
    "answer.rejected",
    "announcement.posted",
    "session.taken_over",
    "error",
    "pong",
    "round.progress",  # the organiser's panel only (test_panel_consumer.py)
    "console.presence",  # between processes, never sent to a socket
    "judge.hello",  # the judge socket: seat numbers only (test_judge_consumer.py)
    "judge.seats",
    "entry.handed_in",  # the contestant's own console (test_integrity_consumer.py)
    "entry.hand_in_rejected",
    # Practice (contests/practice.py) and the device check (contests/checks.py): their own sockets,
    # the user's own attempt or check only, never a board row (test_practice_consumer.py,
    # test_device_check_consumer.py).
    "practice.hello",
    "practice.feedback",
    "practice.finished",
    "check.hello",
    "check.ping",
    "check.ack",
    "check.result",
}
JSON_ENDPOINTS = {"scoreboard_json", "events_json", "seats_json"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # a fresh token per response


def wire_types() -> set[str]:
    found = set()
    for value in [*vars(events).values(), *vars(practice).values(), *vars(checks).values()]:
        if isinstance(value, type) and is_typeddict(value):
            hint = get_type_hints(value).get("type")
            if hint is not None and get_origin(hint) is Literal:
                found |= set(get_args(hint))
    return found


def test_every_message_type_of_the_wire_is_checked():
    assert wire_types() == ROW_MESSAGES | ROWLESS_MESSAGES


def test_every_json_endpoint_is_checked():
    names = {p.name for p in contest_urls.urlpatterns if "json" in str(p.pattern) or "feed" in str(p.pattern)}
    assert names == JSON_ENDPOINTS


def rows_in(value):
    """Every board row anywhere in a message (a dict with `entry` and `total`)."""
    if isinstance(value, dict):
        if "entry" in value and "total" in value:
            yield value
        for item in value.values():
            yield from rows_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from rows_in(item)


def assert_hidden(message, *, practical: bool = False) -> int:
    """No theory (nor practical, if hidden too), total, time or rank in any row; returns the rows seen."""
    seen = 0
    for row in rows_in(message):
        seen += 1
        assert row["theory"] is None, message
        assert row["total"] is None and row["reached_at"] is None and row.get("rank") is None, message
        if practical:
            assert row["practical"] is None and row["tasks"] == {}, message
    return seen


def types_of(log) -> set[str]:
    return {m["type"] for m in log}


def hidden_round(rnd, **settings):
    Round.objects.filter(pk=rnd.pk).update(theory_live=False, **settings)
    return Round.objects.select_related("track").get(pk=rnd.pk)


@pytest.fixture
def draft_round(draft_round):
    """tests/contests/conftest.py's round, with theory hidden (the model's default)."""
    return hidden_round(draft_round)


def public_outputs(rnd, learner) -> dict[str, str]:
    """Every JSON endpoint and page a contestant or the public can open for the round, as text."""
    anon, me, screen = Client(), Client(), Client()
    me.force_login(learner)
    board_json = reverse("contests:scoreboard_json", args=[rnd.pk])
    feed = reverse("contests:events_json", args=[rnd.pk])
    urls = {
        "json all": (anon, board_json + "?view=all"),
        "json top": (anon, board_json + "?view=top"),
        "json filtered": (anon, board_json + "?view=all&province=32"),
        "json mine": (me, board_json + "?view=all"),
        "feed 0": (anon, feed + "?since=0"),
        "feed 1": (anon, feed + "?since=1"),
        "feed mine": (me, feed + "?since=0"),
        "page": (anon, reverse("contests:scoreboard", args=[rnd.pk])),
        "page all": (anon, reverse("contests:scoreboard", args=[rnd.pk]) + "?view=all"),
        "page mine": (me, reverse("contests:scoreboard", args=[rnd.pk])),
        "display": (screen, reverse("contests:display", args=[rnd.pk])),
        "console": (me, reverse("contests:contestant", args=[rnd.pk])),
        "seats": (anon, reverse("contests:seats_json", args=[rnd.pk])),
    }
    out = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = CSRF.sub("", response.content.decode())
    results = anon.get(reverse("contests:results", args=[rnd.pk]))
    assert results.status_code == 404
    return out


def check_outputs(outputs: dict[str, str], *, practical: bool = False) -> None:
    for name, text in outputs.items():
        if name.startswith(("json", "feed")):
            assert_hidden(json.loads(text), practical=practical)
        else:
            assert "10.0" not in text and "20.0" not in text, name  # the theory a right answer gives


def test_a_hidden_theory_round_leaks_nothing_to_contestants_or_the_public(
    running_round, entry, other_entry, paper, learner, organiser, judge
):
    rnd = running_round
    sessions = {"me": session_cookie(learner), "organiser": session_cookie(organiser), "judge": session_cookie(judge)}
    before = public_outputs(rnd, learner)
    check_outputs(before)
    measured = criterion_of(rnd, "measurement")

    async def scenario():
        console = contestant(rnd.pk, sessions["me"])
        public_top, public_all = board(rnd.pk), board(rnd.pk, view="all")
        my_board = board(rnd.pk, sessions["me"], view="all")
        venue = Socket(f"/ws/rounds/{rnd.pk}/board/?view=all&audience=public", sessions["organiser"])
        staff, judging = board(rnd.pk, sessions["organiser"], view="all"), board(rnd.pk, sessions["judge"])
        # A judge sees the public board until the results are out (blind judging).
        public = [console, public_top, public_all, my_board, venue, judging]
        for sock in [*public, staff]:
            assert await sock.connect()
        hello = await console.receive()
        assert hello["type"] == "hello" and assert_hidden(hello) == 1
        for sock in (public_top, public_all, venue, staff, judging):
            assert (await sock.receive())["type"] == "scoreboard.snapshot"
        snapshot = await my_board.receive()
        assert [r["rank"] for r in snapshot["rows"]] == [None, None]
        assert (await my_board.receive())["type"] == "scoreboard.mine"
        public_seq = snapshot["seq"]

        # Right, then wrong, then right on another question; the other contestant answers too.
        for question, value in ((paper[0], right(paper[0])), (paper[0], wrong(paper[0])), (paper[1], True)):
            client_id = cid()
            await console.send(type="answer.save", client_id=client_id, question_id=question.pk, answer=value)
            ack = await console.receive()
            assert (ack["type"], ack["client_id"]) == ("answer.ack", client_id)
            await db(services.theory_answers_save, saves=[_save(other_entry, paper[2], right(paper[2]))])
            live, _others = await staff.receive_until("scoreboard.changed")
            assert live["rows"][0]["theory"] is not None
            for sock in public:
                assert await sock.nothing(timeout=0.4), sock.log[-1]
            assert await db(public_outputs, rnd, learner) == before  # not a byte moved
        await asyncio.sleep(3.2)  # an own-row update would have gone out by now (CONTEST_BOARD_MINE_SECONDS)
        for sock in public:
            assert await sock.nothing(timeout=0.2), sock.log[-1]

        # Resumes: from the public sequence number (nothing missed), from 0 and from the staff's number.
        await public_all.send(type="resume", last_seq=public_seq)
        replay = await public_all.receive()
        assert (replay["type"], replay["rows"], replay["seq"]) == ("scoreboard.changed", [], public_seq)
        staff_seq = await db(selectors.board_last_seq, rnd)
        assert staff_seq > public_seq
        for last_seq in (0, staff_seq):
            await public_all.send(type="resume", last_seq=last_seq)
            again = await public_all.receive()
            assert (again["type"], again["seq"]) == ("scoreboard.snapshot", public_seq)
        await public_top.send(type="resume", last_seq=staff_seq)
        assert (await public_top.receive())["type"] == "scoreboard.snapshot"

        # A confirmed practical score is public (practical_live): it shows, without a total or rank.
        await db(services.judge_score_submit, judge=judge, entry=entry, criterion=measured, value=30, confirm=True)
        changed, _skipped = await public_all.receive_until("scoreboard.changed")
        assert changed["rows"][0]["practical"] == "30.00" and changed["seq"] > public_seq
        top, _skipped = await public_top.receive_until("scoreboard.top")
        assert [r["practical"] for r in top["rows"]] == ["30.00", "0.00"]
        await asyncio.sleep(0.2)
        mine, _skipped = await my_board.receive_until("scoreboard.mine", timeout=4)
        assert mine["row"]["practical"] == "30.00"
        await public_all.send(type="resume", last_seq=public_seq)
        replay = await public_all.receive()
        assert replay["type"] == "scoreboard.changed" and replay["rows"][0]["practical"] == "30.00"
        await public_all.send(type="ping", t=1)
        await public_all.send(type="no.such")
        await console.send(type="answer.save", client_id="x", question_id=paper[0].pk, answer=[])
        for sock in [*public, staff]:
            await sock.drain(quiet=0.5)
            await sock.close()
        return [m for sock in public for m in sock.log], staff.log, public_seq

    received, staff_log, public_seq = run(scenario)
    check_outputs(public_outputs(rnd, learner))
    feed = Client().get(reverse("contests:events_json", args=[rnd.pk]) + f"?since={public_seq}").json()
    assert feed["type"] == "scoreboard.events" and [e["payload"]["practical"] for e in feed["events"]] == ["30.00"]
    received.append(feed)
    for message in received:
        assert_hidden(message)
    seen = types_of(received)
    assert seen <= ROW_MESSAGES | ROWLESS_MESSAGES
    assert seen >= ROW_MESSAGES, ROW_MESSAGES - seen
    # The staff saw it all live, theory, total and rank included.
    assert any(r["theory"] == "10.0" and r["total"] for m in staff_log for r in rows_in(m))

    # After the end the public sees the results (no freeze here: the clock is before it).
    services.round_end(round=rnd, by=organiser)
    ended = Client().get(reverse("contests:scoreboard_json", args=[rnd.pk])).json()
    assert [(r["name"], r["theory"], r["rank"]) for r in ended["rows"]] == [("张三", "10.0", 1), ("李四", "10.0", 2)]
    assert Client().get(reverse("contests:results", args=[rnd.pk])).status_code == 404  # until published
    results_publish(rnd, by=organiser)
    assert "10.0" in Client().get(reverse("contests:results", args=[rnd.pk])).content.decode()


def _save(entry, question, value):
    return services.AnswerSave(entry_id=entry.pk, question_id=question.pk, client_id=cid(), answer=value)
