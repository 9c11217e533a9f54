"""Bank questions a contest paper holds (courses.holds): a quiz review never shows their answers.
(Deleting them: tests/contests/test_question_bank.py.)"""

import pytest

from django.urls import reverse

from courses.models import QuestionKind, QuizAttempt
from tests.contests.factories import RoundFactory, RoundQuestionFactory
from tests.courses.quizkit import EXPLANATION, FILL_ANSWER, add_fill, answers, ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(learner, course, provider_a):
    ready(learner, course)
    quiz = course.final_quiz
    quiz.review = "always"
    quiz.save()
    add_fill(quiz, provider_a)
    return quiz


def _take(client, course, *, correct=True) -> str:
    lesson = course.lessons.get(quiz__isnull=False)
    assert client.post(reverse("courses:quiz", args=[lesson.pk])).status_code == 302
    attempt = QuizAttempt.objects.filter(submitted_at__isnull=True).latest("pk")
    client.post(reverse("courses:attempt_submit", args=[attempt.pk]), answers(attempt, correct=correct))
    return client.get(reverse("courses:attempt", args=[attempt.pk])).content.decode()


def test_a_quiz_review_shows_answers_of_questions_no_contest_uses(client, learner, quiz, course):
    client.force_login(learner)
    body = _take(client, course)
    assert FILL_ANSWER in body and EXPLANATION in body and "held-notice" not in body


@pytest.mark.parametrize("correct", [True, False])
def test_a_quiz_review_never_shows_the_answers_of_a_contest_papers_questions(client, learner, quiz, course, correct):
    fill = quiz.quiz_questions.get(question__kind=QuestionKind.FILL).question
    RoundQuestionFactory(round=RoundFactory(), question=fill)  # on a paper, even a draft one
    client.force_login(learner)
    body = _take(client, course, correct=correct)
    assert f'result-held" id="review-{fill.pk}"' in body
    review = body[body.index(f'id="review-{fill.pk}"') :]
    review = review[: review.index("</div>")]
    if not correct:  # a right answer shows only as the learner's own
        assert FILL_ANSWER not in body
    assert EXPLANATION not in body
    assert "正确答案：" not in review and "回答正确" not in review and "回答错误" not in review and "得 " not in review
    assert "不公布对错" in review
    assert body.count("正确答案：") == 2  # the two other questions still show theirs
