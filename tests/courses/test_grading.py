"""Server-side grading and the refusal of tampered submissions."""

from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from courses import grading
from courses.models import Question, QuestionKind, QuizAttempt
from courses.models.content import new_option_id
from tests.factories import QuestionFactory


def _qd(pairs):
    qd = QueryDict(mutable=True)
    for k, v in pairs:
        qd.appendlist(k, v)
    return qd


def _question(kind, **kw):
    options = [{"id": new_option_id(), "text": t} for t in ("甲", "乙", "丙", "丁")]
    defaults = {
        QuestionKind.SINGLE: {"options": options, "answer": [options[1]["id"]]},
        QuestionKind.MULTIPLE: {"options": options, "answer": [options[0]["id"], options[2]["id"]]},
        QuestionKind.TRUE_FALSE: {"options": [], "answer": False},
        QuestionKind.FILL: {"options": [], "answer": [["5G", "第五代移动通信"], ["工业互联网"]]},
    }[kind]
    defaults.update(kw)
    return Question(pk=7, kind=kind, stem="题干", score=Decimal(10), **defaults)


def test_single_choice_right_and_wrong():
    q = _question(QuestionKind.SINGLE)
    right = grading.parse_submission(q, _qd([("q-7", q.answer[0])]))
    assert grading.grade(q, right, q.score).score == 10
    wrong = grading.parse_submission(q, _qd([("q-7", q.options[0]["id"])]))
    assert grading.grade(q, wrong, q.score).score == 0


def test_multiple_choice_needs_exactly_the_right_set():
    q = _question(QuestionKind.MULTIPLE)
    both = grading.parse_submission(q, _qd([("q-7", q.answer[1]), ("q-7", q.answer[0])]))
    assert grading.grade(q, both, q.score).correct
    one = grading.parse_submission(q, _qd([("q-7", q.answer[0])]))
    assert not grading.grade(q, one, q.score).correct
    extra = grading.parse_submission(q, _qd([("q-7", o["id"]) for o in q.options]))
    assert grading.grade(q, extra, q.score).score == 0


def test_true_false():
    q = _question(QuestionKind.TRUE_FALSE)
    assert grading.grade(q, grading.parse_submission(q, _qd([("q-7", "false")])), q.score).correct
    assert not grading.grade(q, grading.parse_submission(q, _qd([("q-7", "true")])), q.score).correct
    assert not grading.grade(q, grading.parse_submission(q, _qd([])), q.score).correct


def test_fill_in_accepts_alternatives_width_and_case():
    q = _question(QuestionKind.FILL)
    given = grading.parse_submission(q, _qd([("q-7-0", "５ｇ"), ("q-7-1", " 工业 互联网 ")]))
    result = grading.grade(q, given, q.score)
    assert result.correct and result.score == 10
    alt = grading.parse_submission(q, _qd([("q-7-0", "第五代移动通信"), ("q-7-1", "物联网")]))
    half = grading.grade(q, alt, q.score)
    assert not half.correct and half.score == Decimal("5.0")


@pytest.mark.parametrize(
    "pairs",
    [
        [("q-7", "deadbeef")],  # unknown option id
        [("q-7", "a"), ("q-7", "b")],  # two answers to a single-choice question
    ],
)
def test_tampered_single_choice_is_refused(pairs):
    q = _question(QuestionKind.SINGLE)
    with pytest.raises(grading.SubmissionError):
        grading.parse_submission(q, _qd(pairs))


def test_true_false_rejects_other_values():
    with pytest.raises(grading.SubmissionError):
        grading.parse_submission(_question(QuestionKind.TRUE_FALSE), _qd([("q-7", "maybe")]))


def test_over_long_fill_answer_is_refused():
    with pytest.raises(grading.SubmissionError):
        grading.parse_submission(_question(QuestionKind.FILL), _qd([("q-7-0", "长" * 201)]))


@pytest.mark.parametrize(
    "changes",
    [
        {"answer": ["nope"]},
        {"options": [{"id": "x", "text": "只有一个"}], "answer": ["x"]},
        {"answer": []},
    ],
)
def test_invalid_choice_questions_do_not_validate(changes):
    q = _question(QuestionKind.SINGLE, **changes)
    with pytest.raises(ValidationError):
        grading.validate_question(q)


def test_single_with_two_answers_does_not_validate():
    q = _question(QuestionKind.SINGLE)
    q.answer = [q.options[0]["id"], q.options[1]["id"]]
    with pytest.raises(ValidationError):
        grading.validate_question(q)


# ------------------------------------------------------------ through the view


@pytest.fixture
def two_question_attempt(client, learner, course):
    course.sequential = False
    course.save()
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    quiz_lesson = course.lessons.get(quiz__isnull=False)
    client.post(reverse("courses:quiz", args=[quiz_lesson.pk]))  # start
    return QuizAttempt.objects.get(learner=learner)


@pytest.mark.django_db
def test_another_questions_option_is_refused_and_nothing_stored(client, two_question_attempt, provider_a):
    attempt = two_question_attempt
    stranger = QuestionFactory(provider=provider_a)
    single_id = next(qid for qid in attempt.question_ids if Question.objects.get(pk=qid).kind == "single")
    response = client.post(
        reverse("courses:attempt_submit", args=[attempt.pk]), {f"q-{single_id}": stranger.option_ids[0]}
    )
    assert response.status_code == 400
    assert "不属于该题目" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.answers == {}


@pytest.mark.django_db
def test_huge_payload_is_a_400_not_a_500(client, two_question_attempt):
    attempt = two_question_attempt
    data = {f"junk{i}": "x" for i in range(1500)}
    response = client.post(reverse("courses:attempt_submit", args=[attempt.pk]), data)
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.django_db
def test_missing_answers_score_zero_and_are_recorded(client, two_question_attempt):
    attempt = two_question_attempt
    response = client.post(reverse("courses:attempt_submit", args=[attempt.pk]), {})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score == 0 and not attempt.passed


@pytest.mark.django_db
def test_resubmitting_a_submitted_attempt_is_refused(client, two_question_attempt):
    attempt = two_question_attempt
    client.post(reverse("courses:attempt_submit", args=[attempt.pk]), {})
    response = client.post(reverse("courses:attempt_submit", args=[attempt.pk]), {})
    assert response.status_code == 409
    assert QuizAttempt.objects.filter(pk=attempt.pk).count() == 1


@pytest.mark.django_db
def test_someone_elses_attempt_cannot_be_submitted_or_seen(client, two_question_attempt, other_learner):
    attempt = two_question_attempt
    client.force_login(other_learner)
    assert client.post(reverse("courses:attempt_submit", args=[attempt.pk]), {}).status_code == 403
    assert client.get(reverse("courses:attempt", args=[attempt.pk])).status_code == 403
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.django_db
def test_every_attempt_is_recorded(client, two_question_attempt, learner, course):
    quiz_lesson = course.lessons.get(quiz__isnull=False)
    course.final_quiz.attempt_delay_minutes = 0  # the delay between attempts is tested in test_quizzes
    course.final_quiz.save()
    client.post(reverse("courses:attempt_submit", args=[two_question_attempt.pk]), {})
    client.post(reverse("courses:quiz", args=[quiz_lesson.pk]))
    second = QuizAttempt.objects.filter(learner=learner, submitted_at__isnull=True).get()
    client.post(reverse("courses:attempt_submit", args=[second.pk]), {})
    assert QuizAttempt.objects.filter(learner=learner, submitted_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_results_page_reveals_answers_only_after_submission(client, two_question_attempt):
    attempt = two_question_attempt
    attempt.quiz.review = "always"  # the default review policy hides them after a failed attempt
    attempt.quiz.save()
    assert client.get(reverse("courses:attempt", args=[attempt.pk])).status_code == 302
    client.post(reverse("courses:attempt_submit", args=[attempt.pk]), {})
    body = client.get(reverse("courses:attempt", args=[attempt.pk])).content.decode()
    assert "正确答案" in body


@pytest.mark.django_db
def test_a_short_answer_is_read_as_text_with_a_length_limit(provider_a):
    """简答 questions may join quizzes now: their answers wait for marks (tests/courses/test_quizzes.py)."""
    short = QuestionFactory(provider=provider_a, kind=QuestionKind.SHORT, options=[], answer="参考答案")
    assert grading.parse_short(short, {f"q-{short.pk}": "  先断电  "}) == "先断电"
    with pytest.raises(grading.SubmissionError):
        grading.parse_short(short, {f"q-{short.pk}": "长" * (grading.MAX_SHORT_LENGTH + 1)})
