"""The learner's journey through views: enrol, study in order, pass the final quiz, complete."""

import pytest

from django.urls import reverse

from courses.models import Enrolment, LessonProgress, QuizAttempt
from tests.conftest import build_course

pytestmark = pytest.mark.django_db


def _answers(attempt, correct=True):
    from courses.selectors import attempt_questions

    data = {}
    for q in attempt_questions(attempt):
        if q.kind == "single":
            data[f"q-{q.pk}"] = q.answer[0] if correct else next(i for i in q.option_ids if i not in q.answer)
        elif q.kind == "true_false":
            data[f"q-{q.pk}"] = ("true" if q.answer else "false") if correct else ("false" if q.answer else "true")
    return data


def test_catalogue_and_course_page_render(client, course):
    response = client.get("/courses/")
    assert response.status_code == 200
    assert course.title in response.content.decode()
    page = client.get(course.page.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "课时1" in body and "IIOT-101" in body


def test_full_journey_completes_course(client, learner, course):
    client.force_login(learner)
    assert client.post(reverse("courses:enrol", args=[course.pk])).status_code == 302
    assert client.post(reverse("courses:enrol", args=[course.pk])).status_code == 302  # idempotent
    assert Enrolment.objects.filter(learner=learner, course=course).count() == 1
    lessons = list(course.lessons.order_by("sort_order"))
    # the second lesson stays locked until the first is done
    assert client.get(reverse("courses:lesson", args=[lessons[1].pk])).status_code == 403
    for lesson in lessons[:2]:
        assert client.get(reverse("courses:lesson", args=[lesson.pk])).status_code == 200
        assert client.post(reverse("courses:lesson_complete", args=[lesson.pk])).status_code == 302
    assert client.get(reverse("courses:quiz", args=[lessons[2].pk])).status_code == 200  # the start page
    assert not QuizAttempt.objects.exists()  # a GET starts nothing: attempts are limited
    quiz_page = client.post(reverse("courses:quiz", args=[lessons[2].pk]), follow=True)
    assert quiz_page.status_code == 200
    attempt = QuizAttempt.objects.get(learner=learner)
    response = client.post(reverse("courses:attempt_submit", args=[attempt.pk]), _answers(attempt))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.passed and attempt.percent == 100
    enrolment = Enrolment.objects.get(learner=learner, course=course)
    assert enrolment.completed_at is not None
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert "100%" in dashboard and "已结业" in dashboard


def test_failed_final_quiz_does_not_complete(client, learner, course):
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    lessons = list(course.lessons.order_by("sort_order"))
    for lesson in lessons[:2]:
        client.post(reverse("courses:lesson_complete", args=[lesson.pk]))
    client.post(reverse("courses:quiz", args=[lessons[2].pk]))
    attempt = QuizAttempt.objects.get(learner=learner)
    client.post(reverse("courses:attempt_submit", args=[attempt.pk]), _answers(attempt, correct=False))
    attempt.refresh_from_db()
    assert not attempt.passed
    assert Enrolment.objects.get(learner=learner).completed_at is None
    assert not LessonProgress.objects.filter(lesson=lessons[2]).exists()


def test_answer_key_is_not_in_quiz_page(client, learner, course):
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    course.sequential = False
    course.save()
    quiz_lesson = course.lessons.get(quiz__isnull=False)
    body = client.post(reverse("courses:quiz", args=[quiz_lesson.pk]), follow=True).content.decode()
    attempt = QuizAttempt.objects.get(learner=learner)
    from courses.selectors import attempt_questions

    for q in attempt_questions(attempt):
        if q.kind == "single":
            # every option id appears once as a radio value; nothing marks which is right
            for option_id in q.option_ids:
                assert body.count(option_id) == 1
    assert "正确答案" not in body and "answer" not in body.lower().replace("answers", "")


def test_unpublished_course_cannot_be_enrolled(client, learner, provider_a):
    hidden = build_course(provider_a, code="HIDDEN-1", publish=False)
    client.force_login(learner)
    response = client.post(reverse("courses:enrol", args=[hidden.pk]))
    assert response.status_code == 400
    assert "暂未开放" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_lesson_without_enrolment_is_forbidden(client, learner, course):
    client.force_login(learner)
    lesson = course.lessons.first()
    response = client.get(reverse("courses:lesson", args=[lesson.pk]))
    assert response.status_code == 403
    assert "请先报名" in response.content.decode()
    assert client.post(reverse("courses:lesson_complete", args=[lesson.pk])).status_code == 403
    assert not LessonProgress.objects.exists()


def test_anonymous_is_sent_to_login(client, course):
    response = client.get(reverse("courses:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_video_platform_gets_a_link(client, learner, course):
    lesson = course.lessons.order_by("sort_order").first()
    lesson.video_url = "https://video.example.com/v/123"
    lesson.save()
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    body = client.get(reverse("courses:lesson", args=[lesson.pk])).content.decode()
    assert 'href="https://video.example.com/v/123"' in body


def test_the_course_page_prints_its_summary_once(client, course):
    course.summary = "面向一线技术人员的工业互联网平台入门课程。"
    course.save()
    page = course.page
    page.body = f"<p>{course.summary}</p><h3>适合人群</h3><p>班组长</p>"
    page.save_revision().publish()
    assert client.get(page.url).content.decode().count(course.summary) == 1
    page.body = "<h3>适合人群</h3><p>班组长</p>"  # a body that does not repeat it: the summary leads
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert html.count(course.summary) == 1 and html.index(course.summary) < html.index("适合人群")
