"""Submitting a quiz with questions left blank asks first: an attempt is not used up by a slip — in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import QuizAttempt
from tests.browser.test_learner_journey import _correct_values
from tests.conftest import PASSWORD, build_course
from tests.courses.quizkit import ready

pytestmark = pytest.mark.browser


@pytest.fixture
def course(provider_a):
    return build_course(provider_a, title="工业互联网平台应用", code="IIOT-101", lessons=1)


def _open_attempt(page, course, learner) -> QuizAttempt:
    """Logged in, the final quiz started: the attempt on the page."""
    ready(learner, course)
    lesson = course.lessons.get(quiz__isnull=False)
    page.goto(f"/accounts/login/?next=/learn/lessons/{lesson.pk}/quiz/")
    page.locator("#id_username").fill(learner.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    page.get_by_role("button", name="开始测验").click()
    expect(page.locator("#quiz-form fieldset.question")).to_have_count(2)
    return QuizAttempt.objects.get(learner=learner, submitted_at__isnull=True)


def test_blank_questions_are_asked_about_before_the_attempt_is_submitted(page, course, learner):
    attempt = _open_attempt(page, course, learner)
    values = _correct_values(attempt)
    first_id, second_id = list(values)
    page.locator(f'#question-{first_id} input[value="{values[first_id]}"]').check()

    # Declined: nothing is submitted, and the blank question is marked.
    messages = []

    def decline(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="提交答卷").click()
    expect(page.locator(f"#question-{second_id}")).to_have_class(re.compile(r"\bunanswered\b"))
    assert messages == ["还有 1 题未作答，确定提交答卷吗？"]
    expect(page.locator(f"#question-{first_id}")).not_to_have_class(re.compile(r"\bunanswered\b"))
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at is None

    # Confirmed: submitted as it is.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交答卷").click()
    expect(page).to_have_url(re.compile(rf"/learn/attempts/{attempt.pk}/$"))
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at is not None


def test_a_complete_sheet_is_submitted_without_a_question(page, course, learner):
    attempt = _open_attempt(page, course, learner)
    for question_id, value in _correct_values(attempt).items():
        page.locator(f'#question-{question_id} input[value="{value}"]').check()
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected dialog: {dialog.message}"))
    page.get_by_role("button", name="提交答卷").click()
    expect(page.locator("#result")).to_have_text("通过")
