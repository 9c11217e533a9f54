"""The study socket through the real ASGI application: exact frames, forged frames, who may connect."""

import datetime as dt
import json

import pytest

from django.utils import timezone

from courses import services as course_services
from courses.models import Lesson, LessonProgress, LessonStudy, StudyClock, StudyDay
from courses.study import policy
from tests.contests.live import (  # noqa: F401 - fixtures
    Socket,
    _wagtail_roots_after_module,
    db,
    run,
    session_cookie,
    wagtail_roots,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


@pytest.fixture
def lessons(course, learner):
    course_services.enrolment_create(learner=learner, course=course)
    Lesson.objects.filter(course=course).update(min_minutes=None)  # the minimum from the text's length
    return list(Lesson.objects.filter(course=course).order_by("sort_order"))


@pytest.fixture
def fake_video(monkeypatch):
    """A lesson video of 600 s (the media library's model carries `duration`)."""
    monkeypatch.setattr(policy, "lesson_duration", lambda lesson: 600.0)


def study_socket(lesson_id: int, session: str | None) -> Socket:
    return Socket(f"/ws/study/{lesson_id}/", session)


def rewind(lesson_id: int, seconds: float) -> None:
    """As if this lesson's previous beat, and the learner's clock, were `seconds` ago."""
    study = LessonStudy.objects.get(lesson_id=lesson_id)
    past = timezone.now() - dt.timedelta(seconds=seconds)
    LessonStudy.objects.filter(pk=study.pk).update(last_beat_at=past)
    StudyClock.objects.filter(learner_id=study.learner_id).update(credited_until=past)


def beat(seq, **extra):
    return {"type": "beat", "seq": seq, "position": 0.1, "ranges": [], "active": 15, "visible": True, **extra}


def test_hello_then_a_beat_is_credited_stored_and_acknowledged(lessons, learner):
    lesson = lessons[0]
    cookie = session_cookie(learner)

    async def scenario():
        socket = study_socket(lesson.pk, cookie)
        assert await socket.connect()
        hello = await socket.receive()
        session = hello.pop("session")
        assert len(session) == 16
        assert hello == {
            "type": "hello",
            "lesson_id": lesson.pk,
            "kind": "text",
            "strict": True,
            "duration": 0.0,
            "position": 0.0,
            "furthest": 0.0,
            "watched": [],
            "watched_share": 0.0,
            "completion_share": 0.9,
            "effective_seconds": 0,
            "min_seconds": 60,
            "remaining_seconds": 60,
            "completed": False,
            "idle_check": None,
        }
        await db(rewind, lesson.pk, 15.2)
        await socket.send(**beat(1))
        assert await socket.receive() == {
            "type": "beat.ack",
            "seq": 1,
            "credited": 15,
            "refused": None,
            "idle_check": None,
            "effective_seconds": 15,
            "watched_share": 0.0,
            "furthest": 0.0,
            "remaining_seconds": 45,
            "completed": False,
        }
        await socket.send(**beat(1))  # replayed
        replay = await socket.receive()
        assert (replay["credited"], replay["refused"], replay["effective_seconds"]) == (0, "replay", 15)
        assert await socket.nothing()
        await socket.close()

    run(scenario)
    day = StudyDay.objects.get(learner=learner, lesson=lessons[0])
    assert day.seconds == 15 and day.course_id == lessons[0].course_id
    assert day.day == timezone.localtime(timezone.now(), dt.UTC).astimezone(policy_zone()).date()
    assert LessonStudy.objects.get(lesson=lessons[0]).position == 0.1


def policy_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("x" * 5000, "bad_request"),
        ("[" * 50 + "]" * 50, "bad_request"),
        ("not json", "bad_request"),
        (json.dumps([1, 2]), "bad_request"),
        (json.dumps({"type": "beat", "seq": "1", "visible": True}), "invalid"),
        (json.dumps({"type": "beat", "seq": 1, "visible": "yes"}), "invalid"),
        (json.dumps({"type": "beat", "seq": 1, "visible": True, "ranges": [[5, 1]]}), "invalid"),
        (json.dumps({"type": "beat", "seq": 1, "visible": True, "ranges": [[0, 1]] * 33}), "invalid"),
        (json.dumps({"type": "beat", "seq": 1, "visible": True, "position": True}), "invalid"),
        (json.dumps({"type": "beat", "seq": 2**60, "visible": True}), "invalid"),
        ('{"type": "beat", "seq": 1, "visible": true, "position": 1e999}', "bad_request"),
        (json.dumps({"type": "beat.ack", "seq": 1}), "unknown_type"),
        (json.dumps({"type": "idle.answer", "token": {"a": 1}}), "idle_check_invalid"),
    ],
)
def test_forged_frames_are_refused_and_change_nothing(lessons, learner, frame, code):
    lesson = lessons[0]
    cookie = session_cookie(learner)

    async def scenario():
        socket = study_socket(lesson.pk, cookie)
        assert await socket.connect()
        await socket.receive()
        await socket.comm.send_to(text_data=frame)
        answer = await socket.receive()
        assert answer["type"] == "error" and answer["code"] == code and answer["message"]
        await socket.send(type="ping", t=7)
        assert await socket.receive() == {"type": "pong", "t": 7}
        await socket.close()

    run(scenario)
    study = LessonStudy.objects.get(lesson=lesson)
    assert (study.effective_seconds, study.last_seq, study.watched) == (0, 0, [])
    assert not StudyDay.objects.exists()


def test_who_may_not_connect_is_told_why(lessons, learner, other_learner, course):
    mine, theirs = session_cookie(learner), session_cookie(other_learner)

    async def refused(path_lesson, cookie):
        socket = study_socket(path_lesson, cookie)
        assert await socket.connect()
        error = await socket.receive()
        code = await socket.closed_with()
        return error["code"], code

    async def scenario():
        assert await refused(lessons[0].pk, None) == ("unauthenticated", 4401)
        assert await refused(lessons[0].pk, theirs) == ("forbidden", 4403)  # not enrolled
        assert await refused(lessons[1].pk, mine) == ("locked", 4403)  # the lesson before is not done
        assert await refused(999_999, mine) == ("not_found", 4404)
        assert await refused(2**63, mine) == ("not_found", 4404)

    run(scenario)
    assert not LessonStudy.objects.exists()


def test_sockets_connecting_together_are_opened_together_each_told_its_own(
    lessons, learner, other_learner, monkeypatch
):
    """A connect storm's opens are served in gathered batches (`services.study_opens`): a refused
    socket costs the others nothing, and each socket gets its own page session."""
    import asyncio

    from courses.study import services

    batches = []
    real = services.study_opens

    def recorded(*, requests):
        batches.append(len(requests))
        return real(requests=requests)

    monkeypatch.setattr(services, "study_opens", recorded)
    mine, theirs = session_cookie(learner), session_cookie(other_learner)
    course_services.enrolment_create(learner=other_learner, course=lessons[0].course)

    async def first_frame(lesson_id, cookie):
        socket = study_socket(lesson_id, cookie)
        assert await socket.connect()
        return socket, await socket.receive()

    async def scenario():
        plan = [(lessons[0].pk, mine), (lessons[1].pk, mine), (999_999, theirs), (lessons[0].pk, theirs)] * 3
        opened = await asyncio.gather(*(first_frame(lesson_id, cookie) for lesson_id, cookie in plan))
        frames = [frame for _socket, frame in opened]
        assert [f.get("code") or f["type"] for f in frames] == ["hello", "locked", "not_found", "hello"] * 3
        sessions = [f["session"] for f in frames if f["type"] == "hello"]
        assert len(set(sessions)) == 6
        for socket, _frame in opened:
            await socket.close()
        return sessions

    sessions = run(scenario)
    assert sum(batches) == 12 and max(batches) > 1
    # Each learner's lesson was opened three times: one session of the three is the stored one.
    for study in LessonStudy.objects.all():
        assert study.session in sessions


def test_a_newer_page_supersedes_the_older(lessons, learner):
    cookie = session_cookie(learner)

    async def scenario():
        old, new = study_socket(lessons[0].pk, cookie), study_socket(lessons[0].pk, cookie)
        assert await old.connect()
        await old.receive()
        assert await new.connect()
        await new.receive()
        await old.send(**beat(1))
        superseded = await old.receive()
        assert superseded["type"] == "superseded" and superseded["message"]
        assert await old.closed_with() == 4009
        await new.close()

    run(scenario)
    assert LessonStudy.objects.get().last_seq == 0


def test_a_flood_is_rate_limited(lessons, learner):
    cookie = session_cookie(learner)

    async def scenario():
        socket = study_socket(lessons[0].pk, cookie)
        assert await socket.connect()
        await socket.receive()
        for n in range(12):
            await socket.send(type="ping", t=n)
        answers = [await socket.receive() for _ in range(12)]
        limited = [a for a in answers if a["type"] == "error"]
        assert limited and all(a["code"] == "rate_limited" and a["retry_after_ms"] > 0 for a in limited)
        await socket.close()

    run(scenario)


def test_video_at_rate_16_earns_nothing_and_90_percent_completes_the_lesson(lessons, learner, fake_video):
    lesson = lessons[0]
    cookie = session_cookie(learner)

    async def scenario():
        socket = study_socket(lesson.pk, cookie)
        assert await socket.connect()
        hello = await socket.receive()
        assert (hello["kind"], hello["duration"], hello["min_seconds"]) == ("video", 600.0, 0)
        await db(rewind, lesson.pk, 15)
        await socket.send(**beat(1, ranges=[[0, 240]], position=240))
        ack = await socket.receive()
        assert (ack["refused"], ack["credited"], ack["watched_share"], ack["furthest"]) == ("implausible", 0, 0.0, 0.0)
        await db(rewind, lesson.pk, 15)
        await socket.send(**beat(2, ranges=[[300, 315]], position=315))  # a seek ahead
        ack = await socket.receive()
        assert (ack["refused"], ack["watched_share"]) == ("ahead", 0.0)
        await db(
            LessonStudy.objects.filter(lesson=lesson).update, watched=[[0, 525]], watched_seconds=525, furthest=525
        )
        await db(rewind, lesson.pk, 15)
        await socket.send(**beat(3, ranges=[[525, 540]], position=540))
        ack = await socket.receive()
        assert (ack["refused"], ack["watched_share"], ack["completed"]) == (None, 0.9, True)
        await socket.close()

    run(scenario)
    assert LessonProgress.objects.filter(lesson=lesson, enrolment__learner=learner).exists()


def test_idle_check_stops_the_clock_until_answered(lessons, learner, fake_video):
    lesson = lessons[0]
    cookie = session_cookie(learner)

    async def scenario():
        socket = study_socket(lesson.pk, cookie)
        assert await socket.connect()
        await socket.receive()
        await db(rewind, lesson.pk, 15)
        await db(
            LessonStudy.objects.filter(lesson=lesson).update,
            idle_check_due_at=timezone.now() - dt.timedelta(seconds=15),
        )
        await socket.send(**beat(1, ranges=[[0, 15]]))
        ack = await socket.receive()
        token = ack["idle_check"]
        assert token and ack["credited"] == 0
        await db(rewind, lesson.pk, 15)
        await socket.send(**beat(2, ranges=[[0, 15]]))
        ack = await socket.receive()
        assert (ack["refused"], ack["credited"], ack["idle_check"]) == ("idle_check", 0, token)
        await socket.send(type="idle.answer", token="forged")
        assert (await socket.receive())["code"] == "idle_check_invalid"
        await socket.send(type="idle.answer", token=token)
        assert await socket.receive() == {"type": "idle.ok"}
        await socket.close()

    run(scenario)
    study = LessonStudy.objects.get(lesson=lesson)
    assert study.idle_check_token == "" and study.effective_seconds == 0
    assert study.idle_check_due_at > timezone.now() + dt.timedelta(minutes=9)
