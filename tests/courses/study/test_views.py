"""The beacon and the lesson's complete button, posted by hand: forged, early, other people's."""

import datetime as dt
import json

import pytest

from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import Lesson, LessonProgress, LessonStudy, StudyClock
from courses.study import policy, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(course, learner):
    course_services.enrolment_create(learner=learner, course=course)
    Lesson.objects.filter(course=course).update(min_minutes=None)
    return list(Lesson.objects.filter(course=course).order_by("sort_order"))


def opened(learner, lesson, *, ago: float = 15.0):
    study = services.study_open(learner=learner, lesson_id=lesson.pk)
    past = timezone.now() - dt.timedelta(seconds=ago)
    LessonStudy.objects.filter(pk=study.study_id).update(last_beat_at=past)
    StudyClock.objects.filter(learner=learner).update(credited_until=past)
    return study


def post_beat(client, lesson, session, **beat):
    frame = {"type": "beat", "seq": 1, "position": 0, "ranges": [], "active": 15, "visible": True, **beat}
    url = reverse("courses:study_beat", args=[lesson.pk])
    return client.post(url, {"session": session, "beat": json.dumps(frame)})


def test_the_beacon_credits_through_the_same_rules(client, learner, lessons):
    study = opened(learner, lessons[0])
    client.force_login(learner)
    response = post_beat(client, lessons[0], study.session)
    assert response.status_code == 200
    assert response.json() == {
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
    replay = post_beat(client, lessons[0], study.session)
    assert replay.json()["refused"] == "replay" and replay.json()["credited"] == 0


def test_the_beacon_refuses_forged_and_foreign_beats(client, learner, other_learner, lessons):
    study = opened(learner, lessons[0])
    client.force_login(learner)
    assert post_beat(client, lessons[0], "not-the-session").status_code == 409
    assert post_beat(client, lessons[0], study.session, seq="1").status_code == 400
    assert post_beat(client, lessons[0], study.session, ranges=[[0, 1]] * 500).status_code == 400
    url = reverse("courses:study_beat", args=[lessons[0].pk])
    assert client.post(url, {"session": study.session, "beat": "[" * 5000}).status_code == 400
    assert client.post(url, {"session": study.session}).status_code == 400
    assert post_beat(client, lessons[1], study.session).status_code == 403  # another lesson: no study of it
    client.force_login(other_learner)
    assert post_beat(client, lessons[0], study.session).status_code == 403  # somebody else's session
    assert LessonStudy.objects.get(pk=study.study_id).effective_seconds == 0


def test_a_text_lesson_cannot_be_completed_by_a_crafted_post_before_its_time(client, learner, lessons):
    client.force_login(learner)
    url = reverse("courses:lesson_complete", args=[lessons[0].pk])
    response = client.post(url)
    assert response.status_code == 400
    assert "最短学习时间未满" in response.content.decode()
    assert not LessonProgress.objects.exists()
    study = opened(learner, lessons[0])
    LessonStudy.objects.filter(pk=study.study_id).update(effective_seconds=60)
    assert client.post(url).status_code == 302
    assert LessonProgress.objects.filter(lesson=lessons[0]).exists()


def test_a_video_lesson_is_not_completed_by_hand_before_90_percent(client, learner, lessons, monkeypatch):
    monkeypatch.setattr(policy, "lesson_duration", lambda lesson: 600.0)
    client.force_login(learner)
    url = reverse("courses:lesson_complete", args=[lessons[0].pk])
    study = opened(learner, lessons[0])
    LessonStudy.objects.filter(pk=study.study_id).update(watched=[[0, 500]], watched_seconds=500)
    response = client.post(url)
    assert response.status_code == 400 and "90%" in response.content.decode()
    assert not LessonProgress.objects.exists()


def test_an_outside_video_without_a_minimum_is_not_counted_and_completes_by_hand(client, learner, lessons):
    Lesson.objects.filter(pk=lessons[0].pk).update(video_url="https://video.example.invalid/v/1", body="")
    client.force_login(learner)
    page = client.get(reverse("courses:lesson", args=[lessons[0].pk])).content.decode()
    assert "不计学时" in page and "study.js" not in page
    assert client.post(reverse("courses:lesson_complete", args=[lessons[0].pk])).status_code == 302


def test_the_lesson_page_shows_the_remaining_time_and_loads_the_tracker(client, learner, lessons):
    client.force_login(learner)
    page = client.get(reverse("courses:lesson", args=[lessons[0].pk])).content.decode()
    assert 'id="study"' in page and "courses/study.js" in page and 'id="study-config"' in page
    assert "还需学习约 1 分钟才能完成本课时" in page
    assert 'role="progressbar"' in page and 'id="study-idle"' in page
