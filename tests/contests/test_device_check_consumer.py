"""The device check socket through the real ASGI app: the server times the round trips, the sample
question is acknowledged, the result is stored; forged, replayed, huge and flooding frames are refused."""

import asyncio
import time

import pytest

from contests import checks, services
from contests.models import DeviceCheck, Round, RoundStatus
from tests.contests.factories import RegistrationFactory
from tests.contests.helpers import cid
from tests.contests.live import Socket, _wagtail_roots_after_module, db, run, session_cookie, wagtail_roots  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


def check_socket(rnd, session, *, agent=b"TestBrowser/1.0"):
    sock = Socket(f"/ws/rounds/{rnd.pk}/check/", session)
    sock.comm.scope["headers"].append((b"user-agent", agent))
    return sock


def now_ms() -> float:
    return time.time() * 1000


async def answer_pings(sock, hello, *, skew_ms=0, delay=0.0):
    """Answer every ping (late by `delay` s, with a clock `skew_ms` off); the frames after the last pong."""
    for seq in range(1, hello["pings"] + 1):
        ping = await sock.receive()
        assert (ping["type"], ping["seq"]) == ("check.ping", seq)
        await asyncio.sleep(delay)
        await sock.send(type="check.pong", seq=seq, client_time=now_ms() + skew_ms)


async def answer_sample(sock, hello):
    question = hello["question"]
    client_id = cid()
    await sock.send(
        type="check.answer", client_id=client_id, question_id=question["id"], answer=[question["options"][0]["id"]]
    )
    return client_id


def test_an_approved_contestant_passes_and_the_server_records_it(draft_round, learner, organiser):
    session = session_cookie(learner)

    async def scenario():
        sock = check_socket(draft_round, session)
        assert await sock.connect()
        hello = await sock.receive()
        assert hello["type"] == "check.hello" and hello["round"] == draft_round.pk
        assert (hello["pings"], hello["max_latency_ms"], hello["max_offset_ms"]) == (5, 1500, 300_000)
        assert hello["question"]["kind"] == "single" and len(hello["question"]["options"]) == 2
        await answer_pings(sock, hello)
        client_id = await answer_sample(sock, hello)
        ack = await sock.receive()
        assert (ack["type"], ack["client_id"], ack["question_id"]) == ("check.ack", client_id, hello["question"]["id"])
        result = await sock.receive()
        assert result["type"] == "check.result" and result["passed"] is True and result["reasons"] == []
        assert result["pings"] == 5 and result["sample_acked"] is True
        assert 0 <= result["latency_ms"] < 1500 and abs(result["clock_offset_ms"]) < 2000
        await sock.send(type="check.pong", seq=5, client_time=now_ms())  # a replay after the end
        assert (await sock.receive())["code"] == "bad_request"
        await sock.close()

    run(scenario)
    check = DeviceCheck.objects.get(round=draft_round, user=learner)
    assert (check.passed, check.sample_acked, check.pings, check.user_agent, check.runs) == (
        True, True, 5, "TestBrowser/1.0", 1
    )  # fmt: skip


def test_a_slow_network_or_a_wrong_clock_fails_whatever_the_client_claims(draft_round, learner, settings):
    settings.CONTEST_CHECK_MAX_LATENCY_MS = 40
    session = session_cookie(learner)

    async def scenario():
        sock = check_socket(draft_round, session)
        assert await sock.connect()
        hello = await sock.receive()
        # Each pong comes 60 ms late and claims a tiny latency: the server timed it itself.
        for seq in range(1, hello["pings"] + 1):
            assert (await sock.receive())["seq"] == seq
            await asyncio.sleep(0.06)
            await sock.send(type="check.pong", seq=seq, client_time=now_ms(), latency_ms=1, rtt=1)
        await answer_sample(sock, hello)
        assert (await sock.receive())["type"] == "check.ack"
        slow = await sock.receive()
        assert slow["passed"] is False and slow["latency_ms"] >= 60
        assert slow["reasons"] == [f"网络延迟过高（{slow['latency_ms']} 毫秒）"]
        await sock.close()

        settings.CONTEST_CHECK_MAX_LATENCY_MS = 1500
        sock = check_socket(draft_round, session)
        assert await sock.connect()
        hello = await sock.receive()
        await answer_pings(sock, hello, skew_ms=10 * 60 * 1000)  # the device clock is 10 minutes fast
        await answer_sample(sock, hello)
        await sock.receive()
        skewed = await sock.receive()
        assert skewed["passed"] is False and skewed["clock_offset_ms"] > 9 * 60 * 1000
        assert skewed["reasons"] == ["设备时钟与服务器相差过大，请校准系统时间"]
        await sock.close()

    run(scenario)
    check = DeviceCheck.objects.get(round=draft_round, user=learner)
    assert (check.passed, check.runs) == (False, 2)  # the latest check counts


def test_who_may_open_the_check_socket(draft_round, learner, organiser):
    pending = RegistrationFactory(track=draft_round.track, user__username="pending")
    sessions = {u.username: session_cookie(u) for u in (learner, pending.user, UserFactory(username="outsider"))}

    async def refused(sock, code, close_code):
        assert await sock.connect()
        assert (await sock.receive())["code"] == code
        assert await sock.closed_with() == close_code
        await sock.close()

    async def scenario():
        await refused(check_socket(draft_round, None), "unauthenticated", 4401)
        await refused(check_socket(draft_round, sessions["pending"]), "forbidden", 4403)  # not approved
        await refused(check_socket(draft_round, sessions["outsider"]), "forbidden", 4403)
        await refused(Socket(f"/ws/rounds/{2**70}/check/", sessions["learner"]), "not_found", 4404)
        await db(services.round_open_lobby, round=draft_round, by=organiser)
        sock = check_socket(draft_round, sessions["learner"])  # the lobby: still open
        assert await sock.connect()
        assert (await sock.receive())["type"] == "check.hello"
        await sock.close()
        await db(services.round_start, round=await db(Round.objects.get, pk=draft_round.pk), by=organiser)
        await refused(check_socket(draft_round, sessions["learner"]), "closed", 4403)

    run(scenario)
    assert Round.objects.get(pk=draft_round.pk).status == RoundStatus.RUNNING
    assert not DeviceCheck.objects.exists()


def test_forged_replayed_huge_and_flooding_frames_on_the_check_socket(draft_round, learner):
    session = session_cookie(learner)

    async def scenario():
        sock = check_socket(draft_round, session)
        assert await sock.connect()
        hello = await sock.receive()
        assert (await sock.receive())["seq"] == 1
        question = hello["question"]
        for frame in (
            {"type": "check.pong", "seq": 2, "client_time": now_ms()},  # not the ping in flight
            {"type": "check.pong", "seq": True, "client_time": now_ms()},
            {"type": "check.pong", "seq": 1, "client_time": "soon"},
            {"type": "check.pong", "seq": 1, "client_time": 1e300},
            {"type": "check.pong", "seq": 1},
        ):
            await sock.send(**frame)
            assert (await sock.receive())["code"] == "bad_request", frame
        for question_id, answer, code in (
            (question["id"] + 1, [question["options"][0]["id"]], "unknown_question"),  # a forged question id
            (2**70, [question["options"][0]["id"]], "unknown_question"),
            (question["id"], ["forged-option"], "invalid"),
            (question["id"], [question["options"][0]["id"], question["options"][1]["id"]], "invalid"),
        ):
            await sock.send(type="check.answer", client_id=cid(), question_id=question_id, answer=answer)
            reply = await sock.receive()
            assert (reply["type"], reply["code"]) == ("answer.rejected", code)
        await sock.comm.send_to(text_data='{"type":"check.pong","x":"' + "x" * 20_000 + '"}')
        assert (await sock.receive())["code"] == "bad_request"
        await sock.send(type="no.such")
        assert (await sock.receive())["code"] == "unknown_type"
        for n in range(40):  # a flood of pings
            await sock.send(type="ping", t=n)
        replies = await sock.drain()
        assert any(r.get("code") == "rate_limited" for r in replies)
        assert sum(r["type"] == "pong" for r in replies) < 40
        await sock.close()

    run(scenario)
    assert not DeviceCheck.objects.exists()  # nothing stored for a check that did not finish


def test_the_verdict_is_the_servers_rule():
    ok = checks.verdict(rtts_ms=[10, 20, 3000, 15, 12], offsets_ms=[100, 90, 80, 70, 60], sample_acked=True)
    assert (ok.passed, ok.latency_ms, ok.clock_offset_ms) == (True, 15, 80)
    assert not checks.verdict(rtts_ms=[10] * 4, offsets_ms=[0] * 4, sample_acked=True).passed
    assert not checks.verdict(rtts_ms=[10] * 5, offsets_ms=[0] * 5, sample_acked=False).passed
    assert not checks.verdict(rtts_ms=[1600] * 5, offsets_ms=[0] * 5, sample_acked=True).passed
    assert not checks.verdict(rtts_ms=[10] * 5, offsets_ms=[-300_001] * 5, sample_acked=True).passed
