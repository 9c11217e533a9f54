"""Bank questions a contest paper holds (courses.holds): a quiz review never shows their answers, and
the question bank refuses to delete them with a clear message instead of an error page."""

import pytest

from django.urls import reverse

from contests import services as contest_services
from courses.models import Question, QuestionKind, QuizAttempt
from tests.contests.factories import RoundFactory, RoundQuestionFactory
from tests.courses.quizkit import EXPLANATION, FILL_ANSWER, add_fill, answers, ready
from tests.courses.views.helpers import admin_url
from tests.factories import QuestionFactory

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
    review = body[body.index(f'id="review-{fill.pk}"') :]
    review = review[: review.index("</div>")]
    if not correct:  # a right answer shows only as the learner's own
        assert FILL_ANSWER not in body
    assert EXPLANATION not in body
    assert "正确答案：" not in review and "回答正确" not in review and "回答错误" not in review and "得 " not in review
    assert "result-held" in review and "不公布对错" in review
    assert body.count("正确答案：") == 2  # the two other questions still show theirs


def test_the_bank_refuses_to_delete_a_question_a_started_paper_uses(client, staff_a, organiser, running_round, paper):
    client.force_login(staff_a)
    url = admin_url("courses_question", "delete", paper[0])
    shown = client.get(url, follow=True).content.decode()
    assert "不能删除" in shown and "确认删除" not in shown
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "不能删除" in response.content.decode()
    assert Question.objects.filter(pk=paper[0].pk).exists()


def test_the_bank_asks_to_take_a_question_off_a_draft_paper_first(client, staff_a, draft_round, paper):
    client.force_login(staff_a)
    response = client.post(admin_url("courses_question", "delete", paper[0]), follow=True)
    assert response.status_code == 200 and "请组织者先从试卷中移除该题" in response.content.decode()
    assert Question.objects.filter(pk=paper[0].pk).exists()


def test_a_question_no_paper_uses_is_deleted_as_before(client, staff_a, provider_a, organiser, draft_round):
    question = QuestionFactory(provider=provider_a)
    line = contest_services.paper_question_add(round=draft_round, question=question, score=1, order=9, by=organiser)
    contest_services.paper_question_remove(round_question=line, by=organiser)
    client.force_login(staff_a)
    assert client.post(admin_url("courses_question", "delete", question)).status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
