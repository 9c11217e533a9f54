"""数值题: the answer notation shared by spreadsheets and the admin form, grading, the quiz page."""

from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.http import QueryDict

from courses import grading
from courses.forms import answer_from_text, answer_to_text
from courses.imports.parsers.answers import parse_kind
from courses.models import Question, QuestionKind
from courses.numerical import NumericalError, format_numerical_answer, parse_numerical_answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("3.14", [{"value": 3.14, "tolerance": 0.0}]),
        ("3.14:0.01", [{"value": 3.14, "tolerance": 0.01}]),
        ("１..３６", [{"min": 1.0, "max": 36.0}]),
        (
            "9.8:0.05； %50%10:0.5",
            [{"value": 9.8, "tolerance": 0.05}, {"value": 10.0, "tolerance": 0.5, "weight": 50.0}],
        ),
        ("-5", [{"value": -5.0, "tolerance": 0.0}]),
    ],
)
def test_numerical_notation_reads_and_writes_back(text, answer):
    assert parse_numerical_answer(text) == answer
    assert parse_numerical_answer(format_numerical_answer(answer)) == answer


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "不能为空"), ("abc", "不是数字"), ("5..1", "下限大于上限"), ("3:-1", "不能为负数"), ("%150%3", "不超过100%")],
)
def test_numerical_notation_errors(text, message):
    with pytest.raises(NumericalError, match=message):
        parse_numerical_answer(text)


def test_numerical_kind_words():
    assert parse_kind("数值题") == "numerical"


def _q(answer):
    return Question(pk=9, kind=QuestionKind.NUMERICAL, stem="g=?", options=[], answer=answer, score=Decimal(10))


def _submit(q, value):
    data = QueryDict(mutable=True)
    data["q-9"] = value
    return grading.grade(q, grading.parse_submission(q, data), q.score)


def test_numerical_grading_tolerance_range_weight_and_garbage():
    q = _q([{"value": 9.8, "tolerance": 0.05}, {"value": 10.0, "tolerance": 0.5, "weight": 50.0}])
    assert _submit(q, "9.83").correct and _submit(q, "9.83").score == 10
    partial = _submit(q, "10.3")
    assert not partial.correct and partial.score == 5
    assert _submit(q, "１２").score == 0
    assert _submit(q, "九点八").score == 0  # unreadable: zero, not a refused attempt
    assert _submit(q, "").score == 0
    ranged = _q([{"min": 1.0, "max": 36.0}])
    assert _submit(ranged, "36").correct and not _submit(ranged, "36.5").correct
    assert grading.answer_display(q) == "9.8:0.05; %50%10:0.5"


def test_numerical_submission_too_long_is_refused():
    data = QueryDict(mutable=True)
    data["q-9"] = "1" * 60
    with pytest.raises(grading.SubmissionError):
        grading.parse_submission(_q([{"value": 1.0, "tolerance": 0.0}]), data)


def test_numerical_validation():
    grading.validate_question(_q([{"value": 1.0, "tolerance": 0.1}]))
    for bad in ([], "1", [{"value": "1"}], [{"min": 3, "max": 1}], [{"value": 1, "weight": 0}]):
        with pytest.raises(ValidationError):
            grading.validate_question(_q(bad))


def test_admin_form_answer_text_for_numerical():
    assert answer_from_text(QuestionKind.NUMERICAL, "1..5", []) == [{"min": 1.0, "max": 5.0}]
    with pytest.raises(ValidationError):
        answer_from_text(QuestionKind.NUMERICAL, "很多", [])
    assert answer_to_text(_q([{"value": 2.5, "tolerance": 0.0}])) == "2.5"


@pytest.mark.django_db
def test_quiz_page_offers_a_number_input_and_grades_it(client, learner, provider_a):
    from courses import services
    from tests.conftest import build_course
    from tests.factories import QuestionFactory, QuizQuestionFactory

    course = build_course(provider_a, code="NUM-1")
    question = QuestionFactory(
        provider=provider_a, kind=QuestionKind.NUMERICAL, options=[], answer=[{"value": 36.0, "tolerance": 0.0}]
    )
    QuizQuestionFactory(quiz=course.final_quiz, question=question, sort_order=9)
    course.sequential = False
    course.save()
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    lesson = course.lessons.get(quiz=course.final_quiz)
    page = client.post(f"/learn/lessons/{lesson.pk}/quiz/", follow=True)  # start, then the attempt's page
    assert page.status_code == 200
    assert f'type="number" step="any" id="q-{question.pk}" name="q-{question.pk}"' in page.content.decode()
    attempt = services.quiz_attempt_start(learner=learner, quiz=course.final_quiz)
    data = QueryDict(mutable=True)
    data[f"q-{question.pk}"] = "36"
    attempt = services.quiz_attempt_submit(attempt=attempt, learner=learner, data=data)
    assert attempt.results[str(question.pk)]["correct"] is True
