"""The practice socket through the real ASGI app: feedback after each answer, own attempts only,
nothing reaches the round, and practice answers sent to the round's console are refused."""

import pytest

from contests.models import PracticeAnswer, ScoreboardEvent, TheoryAnswer, TheoryAnswerLog
from contests.services import practice as practice_services
from tests.contests.factories import RegistrationFactory
from tests.contests.helpers import cid, right, wrong
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
from tests.contests.practice_helpers import practice_bank
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


@pytest.fixture
def bank(draft_round, provider_a, organiser):
    return practice_bank(draft_round.track, provider_a, organiser)


def socket(attempt, session, track_id=None):
    return Socket(f"/ws/tracks/{track_id or attempt.track_id}/practice/{attempt.pk}/", session)


def save(question, answer, client_id=None, **extra):
    return {
        "type": "answer.save",
        "client_id": client_id or cid(),
        "question_id": question.pk,
        "answer": answer,
        **extra,
    }


def test_practice_gives_feedback_after_each_answer_and_the_live_round_hears_nothing(
    running_round, bank, learner, organiser
):
    attempt = practice_services.practice_start(user=learner, track=running_round.track)
    me, staff = session_cookie(learner), session_cookie(organiser)
    single, tf, fill = bank
    events_before = ScoreboardEvent.objects.count()

    async def scenario():
        sock, live_board = socket(attempt, me), board(running_round.pk, staff, view="all")
        assert await sock.connect() and await live_board.connect()
        assert (await live_board.receive())["type"] == "scoreboard.snapshot"
        hello = await sock.receive()
        assert hello["type"] == "practice.hello" and hello["attempt"] == attempt.pk
        assert hello["answers"] == {} and hello["finished_at"] is None
        questions = {q["id"]: q for q in hello["paper"]["questions"]}
        assert set(questions) == {q.pk for q in bank}
        # The key, the explanation and any score stay on the server until the question is answered.
        assert all(
            set(q) == {"id", "no", "kind", "kind_label", "stem", "score", "options", "blanks"}
            for q in questions.values()
        )
        assert all(q["score"] is None for q in questions.values())

        client_id = cid()
        await sock.send(**save(single, right(single), client_id, attempt=attempt.pk))
        feedback = await sock.receive()
        saved_at = feedback.pop("saved_at")
        assert feedback == {
            "type": "practice.feedback",
            "client_id": client_id,
            "question_id": single.pk,
            "revision": 1,
            "duplicate": False,
            "correct": True,
            "correct_answer": "A",
            "explanation": "A 是正确选项",
            "answered": 1,
            "right": 1,
        }
        await sock.send(**save(single, right(single), client_id))  # a resend after a lost ack
        again = await sock.receive()
        assert (again["type"], again["duplicate"], again["saved_at"]) == ("practice.feedback", True, saved_at)
        await sock.send(**save(single, wrong(single)))
        refused = await sock.receive()
        assert (refused["type"], refused["code"]) == ("answer.rejected", "answered")
        await sock.send(**save(tf, True))
        wrong_one = await sock.receive()
        assert (wrong_one["correct"], wrong_one["correct_answer"], wrong_one["right"]) == (False, "错误", 1)
        await sock.send(**save(fill, ["螺丝"]))
        assert (await sock.receive())["correct"] is True

        # A reload shows every answer with its feedback.
        await sock.close()
        sock = socket(attempt, me)
        assert await sock.connect()
        hello = await sock.receive()
        assert hello["answers"][str(tf.pk)]["correct"] is False
        assert hello["answers"][str(tf.pk)]["correct_answer"] == "错误"
        await sock.send(type="practice.finish")
        done = await sock.receive()
        assert (done["type"], done["answered"], done["right"], done["total"]) == ("practice.finished", 3, 2, 3)
        await sock.send(type="ping", t=5)
        assert (await sock.receive())["type"] == "pong"
        assert await live_board.nothing(timeout=0.5)  # no board, feed or panel frame for practice
        await sock.close()
        await live_board.close()

    run(scenario)
    assert PracticeAnswer.objects.count() == 3
    assert not TheoryAnswer.objects.exists() and ScoreboardEvent.objects.count() == events_before


def test_a_practice_answer_sent_to_the_live_round_is_refused(running_round, bank, entry, learner):
    attempt = practice_services.practice_start(user=learner, track=running_round.track)
    single = bank[0]
    session = session_cookie(learner)

    async def scenario():
        console = contestant(running_round.pk, session)
        assert await console.connect()
        assert (await console.receive())["type"] == "hello"
        client_id = cid()
        await console.send(**save(single, right(single), client_id, attempt=attempt.pk))
        refused = await console.receive()
        assert refused == {
            "type": "answer.rejected",
            "client_id": client_id,
            "question_id": single.pk,
            "code": "unknown_question",
            "message": "该题不在本场试卷中",
        }
        await console.send(type="practice.finish", attempt=attempt.pk)
        assert (await console.receive())["code"] == "unknown_type"
        assert await console.nothing()
        await console.close()

    run(scenario)
    assert not TheoryAnswer.objects.exists() and not TheoryAnswerLog.objects.exists()
    assert not PracticeAnswer.objects.exists()


def test_who_may_open_a_practice_socket(draft_round, bank, learner, other_learner):
    attempt = practice_services.practice_start(user=learner, track=draft_round.track)
    theirs = practice_services.practice_start(user=other_learner, track=draft_round.track)
    outsider = UserFactory(username="outsider")
    pending = RegistrationFactory(track=draft_round.track, user__username="pending")
    sessions = {u.username: session_cookie(u) for u in (learner, outsider, pending.user)}

    async def refused(sock, code, close_code):
        assert await sock.connect()
        assert (await sock.receive())["code"] == code
        assert await sock.closed_with() == close_code
        await sock.close()

    async def scenario():
        await refused(socket(attempt, None), "unauthenticated", 4401)
        await refused(socket(attempt, sessions["outsider"]), "forbidden", 4403)  # not registered on the track
        await refused(socket(theirs, sessions["learner"]), "not_found", 4404)  # another user's attempt
        await refused(
            Socket(f"/ws/tracks/{draft_round.track_id + 999}/practice/{attempt.pk}/", sessions["learner"]),
            "forbidden",
            4403,
        )
        await refused(
            Socket(f"/ws/tracks/{draft_round.track_id}/practice/{2**70}/", sessions["learner"]), "not_found", 4404
        )
        # A pending registrant may practise (after starting an attempt of their own).
        mine = await db(practice_services.practice_start, user=pending.user, track=draft_round.track)
        sock = socket(mine, sessions["pending"])
        assert await sock.connect()
        assert (await sock.receive())["type"] == "practice.hello"
        await sock.close()

    run(scenario)


def test_forged_frames_on_the_practice_socket_are_refused(draft_round, bank, learner, other_learner):
    attempt = practice_services.practice_start(user=learner, track=draft_round.track)
    theirs = practice_services.practice_start(user=other_learner, track=draft_round.track)
    session = session_cookie(learner)
    single = bank[0]

    async def scenario():
        sock = socket(attempt, session)
        assert await sock.connect()
        assert (await sock.receive())["type"] == "practice.hello"
        await sock.send(**save(single, right(single), attempt=theirs.pk))  # another user's attempt id
        assert await sock.receive() == {"type": "error", "code": "forbidden", "message": "这不是您的模拟练习"}
        await sock.send(type="practice.finish", attempt=theirs.pk)
        assert (await sock.receive())["code"] == "forbidden"
        for question_id, code in (
            (999_999, "unknown_question"),
            (2**70, "invalid"),
            (True, "invalid"),
            ("1", "invalid"),
        ):
            await sock.send(type="answer.save", client_id=cid(), question_id=question_id, answer=[])
            reply = await sock.receive()
            assert (reply["type"], reply["code"]) == ("answer.rejected", code), question_id
        await sock.send(type="answer.save", client_id="x" * 100, question_id=single.pk, answer=[])
        assert (await sock.receive())["code"] == "invalid"
        await sock.send(**save(single, ["not-an-option"]))
        assert (await sock.receive())["code"] == "invalid"
        await sock.comm.send_to(text_data='{"type":"answer.save","answer":"' + "x" * 20_000 + '"}')  # huge
        assert (await sock.receive())["code"] == "bad_request"
        await sock.comm.send_to(text_data="[" * 5000)
        assert (await sock.receive())["code"] == "bad_request"
        for _n in range(30):  # a flood: the bucket holds 20
            await sock.send(**save(single, ["nope"]))
        replies = await sock.drain()
        assert any(r["code"] == "rate_limited" for r in replies)
        await sock.close()

    run(scenario)
    assert not PracticeAnswer.objects.exists()
    theirs.refresh_from_db()
    assert theirs.finished_at is None
