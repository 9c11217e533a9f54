"""The judge socket through the real ASGI app: blind judging — seat numbers only, names never, crafted
requests for names refused and audited; and a judge's board socket is the public one until the results."""

import json

import pytest

from contests import services
from contests.models import AuditLog, Entry
from tests.contests.helpers import results_publish
from tests.contests.live import (  # noqa: F401
    Socket,
    _wagtail_roots_after_module,
    board,
    db,
    run,
    session_cookie,
    wagtail_roots,
)
from tests.contests.views.test_judge import NAMES
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


def judge_socket(round_id: int, session: str | None) -> Socket:
    return Socket(f"/ws/rounds/{round_id}/judge/", session)


@pytest.fixture
def seated(running_round, entry, other_entry, organiser):
    services.entries_check_in(round=running_round, entry_ids=[entry.pk], by=organiser)
    services.seat_draw_commit(round=running_round, by=organiser)
    services.seat_draw_run(round=running_round, by=organiser)
    return Entry.objects.get(pk=entry.pk)


def assert_blind(frames: list[dict], *entries) -> None:
    text = json.dumps(frames, ensure_ascii=False)
    for name in NAMES:
        assert name not in text, name
    for key in ('"entry"', '"registration"', '"organisation"', '"province"', '"name"'):
        assert key not in text, key


def test_the_judge_socket_carries_seats_and_the_clock_only(running_round, seated, other_entry, judge, organiser):
    criterion = running_round.tasks.get().criteria.get(kind="judgement")
    services.judge_score_submit(judge=judge, entry=seated, criterion=criterion, value="30", confirm=True)
    session = session_cookie(judge)

    async def scenario():
        sock = judge_socket(running_round.pk, session)
        assert await sock.connect()
        hello = await sock.receive()
        assert hello["type"] == "judge.hello" and hello["state"]["status"] == "running"
        assert hello["seats"] == [{"seat": 1, "confirmed": 1}] and hello["unseated"] == 1 and hello["criteria"] == 2
        await db(services.entries_check_in, round=running_round, entry_ids=[other_entry.pk], by=organiser)
        await db(services.seat_draw_commit, round=running_round, by=organiser)
        await db(services.seat_draw_run, round=running_round, by=organiser)
        await sock.send(type="seats")
        seats = await sock.receive()
        assert seats["type"] == "judge.seats" and [s["seat"] for s in seats["seats"]] == [1, 2]
        await db(services.round_pause, round=running_round, by=organiser)
        state = (await sock.receive_until("round.state"))[0]
        assert state["status"] == "paused"
        await sock.send(type="ping", t=1)
        assert (await sock.receive())["type"] == "pong"
        await db(services.round_resume, round=running_round, by=organiser)
        await db(services.round_end, round=running_round, by=organiser)
        await sock.drain()
        await sock.close()
        return sock.log

    frames = run(scenario)
    assert {f["type"] for f in frames} == {"judge.hello", "judge.seats", "round.state", "pong"}
    assert_blind(frames)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "resume", "last_seq": 0},
        {"type": "scoreboard.snapshot"},
        {"type": "board"},
        {"type": "entry.get", "seat": 1},
        {"type": "registration", "registration_id": 1},
        {"type": "seats", "entry": 1},
        {"type": "names"},
    ],
)
def test_a_crafted_request_for_names_is_refused_and_audited(running_round, seated, judge, frame):
    session = session_cookie(judge)

    async def scenario():
        sock = judge_socket(running_round.pk, session)
        assert await sock.connect()
        await sock.receive()
        await sock.send(**frame)
        refused = await sock.receive()
        await sock.send(type="hello.world")
        unknown = await sock.receive()
        assert await sock.nothing()
        await sock.close()
        return refused, unknown, sock.log

    refused, unknown, frames = run(scenario)
    assert refused["type"] == "error" and refused["code"] == "blind" and "只能看到座位号" in refused["message"]
    assert unknown["code"] == "unknown_type"
    assert_blind(frames)
    [log] = AuditLog.objects.filter(action="judge.refused", actor=judge)
    assert log.round_id == running_round.pk and log.data["code"] == "names_requested"
    assert log.data["frame"] == frame["type"] and log.data["via"] == "socket"


def test_audits_per_socket_are_capped(running_round, seated, judge, monkeypatch):
    from contests.consumers import JudgeConsumer

    monkeypatch.setattr(JudgeConsumer, "AUDITS_PER_SOCKET", 3)
    session = session_cookie(judge)

    async def scenario():
        sock = judge_socket(running_round.pk, session)
        assert await sock.connect()
        await sock.receive()
        for _n in range(6):
            await sock.send(type="board")
            assert (await sock.receive())["code"] == "blind"
        await sock.close()

    run(scenario)
    assert AuditLog.objects.filter(action="judge.refused").count() == 3


def test_strangers_are_refused_and_a_judge_of_another_track_is_audited(running_round, organiser, learner, seated):
    from tests.contests.factories import TrackFactory

    other_judge = UserFactory(username="judge_b")
    services.judge_assign(track=TrackFactory(contest=running_round.track.contest), judge=other_judge, by=organiser)
    sessions = {name: session_cookie(user) for name, user in (("learner", learner), ("other", other_judge))}

    async def scenario():
        results = []
        for session, path in (
            (None, running_round.pk),
            (sessions["learner"], running_round.pk),
            (sessions["other"], running_round.pk),
            (sessions["other"], 999_999),
        ):
            sock = judge_socket(path, session)
            assert await sock.connect()
            results.append(((await sock.receive())["code"], await sock.closed_with()))
            await sock.close()
        return results

    assert run(scenario) == [
        ("unauthenticated", 4401),
        ("forbidden", 4403),
        ("forbidden", 4403),
        ("not_found", 4404),
    ]
    [log] = AuditLog.objects.filter(action="judge.refused")
    assert log.actor == other_judge and log.data == {"code": "not_track_judge", "via": "socket"}


def test_a_judges_board_socket_is_the_public_one_until_the_results(running_round, seated, judge, organiser):
    session = session_cookie(judge)

    async def audience():
        sock = board(running_round.pk, session, view="all")
        assert await sock.connect()
        snapshot = await sock.receive()
        await sock.close()
        return snapshot["audience"]

    assert run(audience) == "public"
    services.round_end(round=running_round, by=organiser)
    results_publish(running_round, by=organiser)
    assert run(audience) == "staff"
