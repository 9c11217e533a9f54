"""Quiz pages under attack: every forged request is refused with a clear message and a 4xx, never a 500,
and no page shows an answer before the review policy allows it."""

import datetime as dt
import json

import pytest
import time_machine

from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import AttemptStatus, Enrolment, QuestionKind, Quiz, QuizAttempt, QuizDrawRule
from tests.courses.quizkit import EXPLANATION, FILL_ANSWER, add_fill, add_short, answers, ready
from tests.courses.views.helpers import admin_url, quiz_data
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(learner, course, provider_a):
    ready(learner, course)
    add_fill(course.final_quiz, provider_a)
    return course.final_quiz


@pytest.fixture
def lesson(course):
    return course.lessons.get(quiz__isnull=False)


@pytest.fixture
def taker(client, learner):
    client.force_login(learner)
    return client


def _start(client, lesson):
    response = client.post(reverse("courses:quiz", args=[lesson.pk]))
    assert response.status_code == 302, response.content.decode()[:500]
    return QuizAttempt.objects.filter(submitted_at__isnull=True).latest("pk")


def _submit(client, attempt, *, correct):
    return client.post(reverse("courses:attempt_submit", args=[attempt.pk]), answers(attempt, correct=correct))


def test_the_quiz_page_starts_nothing_on_get_and_shows_the_attempts_left(taker, quiz, lesson):
    body = taker.get(reverse("courses:quiz", args=[lesson.pk])).content.decode()
    assert not QuizAttempt.objects.exists()
    assert "共 3 次作答机会，已用 0 次，还剩 3 次" in body and 'id="quiz-start"' in body


def test_reloading_resumes_the_same_attempt_with_the_answers_saved(taker, quiz, lesson):
    quiz.time_limit_minutes = 30
    quiz.save()
    attempt = _start(taker, lesson)
    response = taker.post(reverse("courses:attempt_save", args=[attempt.pk]), {f"q-{_fill(attempt)}-0": "草稿答案"})
    assert response.status_code == 200 and set(response.json()) == {"saved_at"}
    again = taker.get(reverse("courses:quiz", args=[lesson.pk]))
    body = again.content.decode()
    assert QuizAttempt.objects.count() == 1
    assert 'value="草稿答案"' in body and 'id="quiz-timer"' in body
    assert 1790 <= again.context["seconds_left"] <= 1800
    assert FILL_ANSWER not in body and EXPLANATION not in body


def _fill(attempt):
    return next(q for q in attempt.question_ids if _kind(q) == QuestionKind.FILL)


def _kind(question_id):
    from courses.models import Question

    return Question.objects.get(pk=question_id).kind


def test_a_failed_attempt_shows_which_questions_were_wrong_but_no_answer_or_explanation(taker, quiz, lesson):
    attempt = _start(taker, lesson)
    assert _submit(taker, attempt, correct=False).status_code == 302
    body = taker.get(reverse("courses:attempt", args=[attempt.pk])).content.decode()
    assert "回答错误" in body and 'id="answers-hidden"' in body
    assert FILL_ANSWER not in body and EXPLANATION not in body and "正确答案：" not in body
    assert "还剩 2 次作答机会" in body and 'id="quiz-wait"' in body


def test_the_answers_appear_after_the_last_attempt(taker, quiz, lesson):
    quiz.attempt_delay_minutes = 0
    quiz.save()
    for _ in range(3):
        attempt = _start(taker, lesson)
        _submit(taker, attempt, correct=False)
    body = taker.get(reverse("courses:attempt", args=[attempt.pk])).content.decode()
    assert FILL_ANSWER in body and EXPLANATION in body and "正确答案：" in body


def test_a_start_during_the_delay_is_refused_with_the_time_left_then_allowed_after_it(taker, quiz, lesson):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = _start(taker, lesson)
        _submit(taker, attempt, correct=False)
        clock.shift(dt.timedelta(minutes=4))
        refused = taker.post(reverse("courses:quiz", args=[lesson.pk]))
        assert refused.status_code == 429
        assert refused["Retry-After"] == "360"
        assert "还需等待 6 分钟" in refused.content.decode()
        page = taker.get(reverse("courses:quiz", args=[lesson.pk])).content.decode()
        assert 'data-seconds-left="360"' in page and 'id="quiz-start"' not in page
        clock.shift(dt.timedelta(minutes=6, seconds=1))
        _start(taker, lesson)
    assert QuizAttempt.objects.count() == 2


def test_a_start_beyond_the_attempts_allowed_is_refused(taker, quiz, lesson):
    quiz.attempts_allowed, quiz.attempt_delay_minutes = 1, 0
    quiz.save()
    _submit(taker, _start(taker, lesson), correct=False)
    refused = taker.post(reverse("courses:quiz", args=[lesson.pk]))
    assert refused.status_code == 403 and "全部 1 次作答机会" in refused.content.decode()
    assert QuizAttempt.objects.count() == 1


def test_a_submission_after_the_time_limit_is_refused(taker, quiz, lesson):
    quiz.time_limit_minutes = 10
    quiz.save()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = _start(taker, lesson)
        clock.shift(dt.timedelta(minutes=11))
        response = _submit(taker, attempt, correct=True)
    assert response.status_code == 409 and "已超过作答时限" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.timed_out and not attempt.passed


def test_another_learners_attempt_cannot_be_read_saved_or_submitted(client, other_learner, learner, quiz, lesson):
    client.force_login(learner)
    attempt = _start(client, lesson)
    _submit(client, attempt, correct=False)
    open_attempt = None
    quiz.attempt_delay_minutes = 0
    quiz.save()
    open_attempt = _start(client, lesson)
    client.force_login(other_learner)
    assert client.get(reverse("courses:attempt", args=[attempt.pk])).status_code == 403
    saved = client.post(reverse("courses:attempt_save", args=[open_attempt.pk]), answers(open_attempt))
    assert saved.status_code == 403 and "error" in saved.json()
    assert _submit(client, open_attempt, correct=True).status_code == 403
    open_attempt.refresh_from_db()
    assert open_attempt.answers == {} and not open_attempt.is_submitted


def test_tampered_option_ids_and_resubmission_are_refused(taker, quiz, lesson):
    attempt = _start(taker, lesson)
    data = answers(attempt)
    single = next(k for k, v in data.items() if isinstance(v, str) and len(v) == 8)
    data[single] = "0badf00d"
    assert taker.post(reverse("courses:attempt_submit", args=[attempt.pk]), data).status_code == 400
    assert taker.post(reverse("courses:attempt_save", args=[attempt.pk]), data).status_code == 400
    assert _submit(taker, attempt, correct=True).status_code == 302
    again = _submit(taker, attempt, correct=False)
    assert again.status_code == 409 and "请勿重复提交" in again.content.decode()


def test_an_oversized_short_answer_is_refused(taker, quiz, lesson, provider_a):
    short = add_short(quiz, provider_a)
    attempt = _start(taker, lesson)
    data = answers(attempt, short="长" * 5000)
    assert taker.post(reverse("courses:attempt_submit", args=[attempt.pk]), data).status_code == 400
    assert str(short.pk) not in QuizAttempt.objects.get(pk=attempt.pk).answers


def test_the_quiz_page_shows_options_in_the_attempts_order(taker, quiz, lesson):
    attempt = _start(taker, lesson)
    body = taker.get(reverse("courses:quiz", args=[lesson.pk])).content.decode()
    for order in attempt.option_order.values():
        positions = [body.index(f'value="{option_id}"') for option_id in order]
        assert positions == sorted(positions)


# ------------------------------------------------------------------ marking


@pytest.fixture
def marked_quiz(quiz, provider_a):
    return add_short(quiz, provider_a)


@pytest.fixture
def waiting(taker, quiz, lesson, marked_quiz):
    attempt = _start(taker, lesson)
    _submit(taker, attempt, correct=True)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.MARKING
    return attempt


def test_the_learner_sees_pending_marks_not_a_result(taker, waiting):
    body = taker.get(reverse("courses:attempt", args=[waiting.pk])).content.decode()
    assert 'id="result">待评分' in body and "正确答案：" not in body and EXPLANATION not in body


def test_learners_and_other_providers_staff_cannot_reach_the_marking_pages(client, learner, staff_b, waiting):
    client.force_login(learner)
    assert client.get(reverse("courses:marking")).status_code == 403
    assert client.post(reverse("courses:marking_attempt", args=[waiting.pk])).status_code == 403
    client.force_login(staff_b)
    assert waiting.learner.real_name not in client.get(reverse("courses:marking")).content.decode()
    assert client.get(reverse("courses:marking_attempt", args=[waiting.pk])).status_code == 404
    key = next(k for k, r in waiting.results.items() if r.get("pending"))
    assert client.post(reverse("courses:marking_attempt", args=[waiting.pk]), {f"mark-{key}": "10"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == AttemptStatus.MARKING


def test_staff_mark_their_providers_attempt_and_the_course_completes(client, staff_a, learner, course, waiting):
    for lesson in course.lessons.filter(quiz__isnull=True):
        services.lesson_complete(learner=learner, lesson=lesson)
    client.force_login(staff_a)
    queue = client.get(reverse("courses:marking")).content.decode()
    assert reverse("courses:marking_attempt", args=[waiting.pk]) in queue
    key = next(k for k, r in waiting.results.items() if r.get("pending"))
    too_much = client.post(reverse("courses:marking_attempt", args=[waiting.pk]), {f"mark-{key}": "11"})
    assert too_much.status_code == 400 and "0 到 10" in too_much.content.decode()
    done = client.post(
        reverse("courses:marking_attempt", args=[waiting.pk]), {f"mark-{key}": "10", f"comment-{key}": "很好"}
    )
    assert done.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == AttemptStatus.DONE and waiting.passed
    assert Enrolment.objects.get(learner=learner).completed_at is not None
    client.force_login(learner)
    body = client.get(reverse("courses:attempt", args=[waiting.pk])).content.decode()
    assert "很好" in body and "通过" in body


# ------------------------------------------------------------------ admin


def test_staff_set_the_attempt_rules_and_draw_rules_in_the_admin(client, staff_a, course, provider_a):
    provider_a.trusted = True  # the course is live: an untrusted provider's quiz would wait for review
    provider_a.save()
    for difficulty in (1, 2):
        QuestionFactory(provider=provider_a, knowledge_point="电气安全", difficulty=difficulty)
    short = QuestionFactory(provider=provider_a, kind=QuestionKind.SHORT, options=[], answer="")
    client.force_login(staff_a)
    data = quiz_data(
        course,
        [short],
        rules=[{"count": 2, "knowledge_point": "电气安全", "difficulty_max": 3}],
        title="限时测验",
        attempts_allowed="2",
        attempt_delay_minutes="30",
        time_limit_minutes="45",
        review="pass",
        shuffle_options="on",
    )
    response = client.post(admin_url("courses_quiz", "add"), data)
    assert response.status_code == 302
    quiz = Quiz.objects.get(title="限时测验")
    assert (quiz.attempts_allowed, quiz.attempt_delay_minutes, quiz.time_limit_minutes, quiz.review) == (
        2,
        30,
        45,
        "pass",
    )
    assert quiz.draw_rules.get().count == 2
    assert list(quiz.quiz_questions.values_list("question_id", flat=True)) == [short.pk]


def test_a_draw_rule_asking_more_than_the_pool_is_refused_at_save(client, staff_a, course, provider_a):
    QuestionFactory(provider=provider_a, knowledge_point="电气安全", difficulty=1)
    client.force_login(staff_a)
    data = quiz_data(course, rules=[{"count": 2, "knowledge_point": "电气安全"}], title="抽题过多")
    response = client.post(admin_url("courses_quiz", "add"), data)
    assert response.status_code == 200 and "只有 1 道" in response.content.decode()
    assert not Quiz.objects.filter(title="抽题过多").exists()
    assert not QuizDrawRule.objects.exists()


def test_no_page_or_json_of_an_attempt_carries_the_answer_key(taker, quiz, lesson):
    attempt = _start(taker, lesson)
    saved = taker.post(reverse("courses:attempt_save", args=[attempt.pk]), answers(attempt, correct=True))
    assert FILL_ANSWER not in json.dumps(saved.json(), ensure_ascii=False)
    for url in (reverse("courses:quiz", args=[lesson.pk]), reverse("courses:lesson", args=[lesson.pk])):
        body = taker.get(url).content.decode()
        # the learner's own saved text is theirs; the explanation is never shown before the review
        assert EXPLANATION not in body


# ------------------------------------------------------------------ the quiz on the lesson page


def _lesson_page(client, lesson) -> str:
    response = client.get(reverse("courses:lesson", args=[lesson.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lesson_page_shows_the_attempts_left_and_when_the_next_may_start(taker, quiz, lesson):
    assert "还剩 3 次作答机会（共 3 次）" in _lesson_page(taker, lesson)
    attempt = _start(taker, lesson)
    assert "继续作答" in _lesson_page(taker, lesson)  # an open attempt is resumed, not restarted
    _submit(taker, attempt, correct=False)
    attempt.refresh_from_db()
    page = _lesson_page(taker, lesson)
    next_at = timezone.localtime(attempt.submitted_at + dt.timedelta(minutes=10)).strftime("%H:%M:%S")
    assert "还剩 2 次作答机会（共 3 次）" in page and f"{next_at} 之后可以再次作答" in page
    assert "再做一次" not in page  # not offered while the delay runs
    with time_machine.travel(attempt.submitted_at + dt.timedelta(minutes=10, seconds=1), tick=False):
        page = _lesson_page(taker, lesson)
    assert "之后可以再次作答" not in page and "再做一次" in page


def test_the_lesson_page_says_when_the_attempts_are_used_up(taker, quiz, lesson):
    for n in range(3):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=11 * n), tick=False):
            _submit(taker, _start(taker, lesson), correct=False)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        page = _lesson_page(taker, lesson)
    assert 'id="quiz-exhausted"' in page and "再做一次" not in page and "还剩 0 次" in page


def test_an_attempt_waiting_for_marks_is_not_shown_as_zero_points(taker, waiting, lesson):
    page = _lesson_page(taker, lesson)
    assert 'id="quiz-best"><span class="badge badge-warn">待评分' in page
    assert "最好成绩" not in page and "0 分" not in page


def test_the_best_marked_attempt_is_shown_before_a_later_one_waiting_for_marks(taker, quiz, lesson, marked_quiz):
    first = _start(taker, lesson)
    taker.post(reverse("courses:attempt_submit", args=[first.pk]), answers(first, correct=False, short=""))
    first.refresh_from_db()
    assert first.status == AttemptStatus.DONE
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=False):
        _submit(taker, _start(taker, lesson), correct=True)
        page = _lesson_page(taker, lesson)
    assert first.percent == 0 and "最好成绩：0 分" in page  # a real 0, marked; the later attempt waits for marks


def test_a_failed_attempt_offers_another_only_once_the_delay_is_over(taker, quiz, lesson):
    attempt = _start(taker, lesson)
    _submit(taker, attempt, correct=False)
    attempt.refresh_from_db()
    url = reverse("courses:attempt", args=[attempt.pk])
    page = taker.get(url).content.decode()
    assert 'id="quiz-wait"' in page and "再做一次" not in page  # quiz.js reloads the page when the wait ends
    with time_machine.travel(attempt.submitted_at + dt.timedelta(minutes=10, seconds=1), tick=False):
        page = taker.get(url).content.decode()
    assert 'id="quiz-wait"' not in page and "再做一次" in page


def test_only_the_passing_attempt_congratulates_on_the_completed_course(taker, quiz, lesson, learner, course):
    """A learner whose course is already complete and who fails a later attempt is not told 恭喜."""
    quiz.attempt_delay_minutes = 0
    quiz.save()
    passed = _start(taker, lesson)
    _submit(taker, passed, correct=True)
    Enrolment.objects.filter(learner=learner, course=course).update(completed_at=timezone.now())
    body = taker.get(reverse("courses:attempt", args=[passed.pk])).content.decode()
    assert "恭喜！您已完成本课程。" in body

    QuizAttempt.objects.filter(pk=passed.pk).update(passed=False)  # as if the course were completed without it
    failed = _start(taker, lesson)
    _submit(taker, failed, correct=False)
    body = taker.get(reverse("courses:attempt", args=[failed.pk])).content.decode()
    assert "未通过" in body and "恭喜" not in body
    assert "您此前已完成本课程，这次作答不改变课程的完成状态。" in body
