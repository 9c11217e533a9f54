"""Quiz rules (courses/quizzes.py): attempts, delay, time limit, draws, option order, 简答 marking, review."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from courses import grading, quizzes, services
from courses.models import AttemptStatus, Enrolment, LessonProgress, Quiz, QuizAttempt, QuizDrawRule
from tests.courses.quizkit import add_short, answers, as_form, ready
from tests.factories import QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(learner, course):
    ready(learner, course)
    return course.final_quiz


def _take(learner, quiz, *, correct):
    attempt = services.quiz_attempt_start(learner=learner, quiz=quiz)
    return services.quiz_attempt_submit(
        attempt=attempt, learner=learner, data=as_form(answers(attempt, correct=correct))
    )


# ------------------------------------------------------------------ defaults


def test_a_final_quiz_takes_the_strict_defaults_and_a_lesson_quiz_the_practice_ones(course):
    final = course.final_quiz
    assert (final.effective_attempts_allowed, final.effective_delay, final.effective_review) == (
        3,
        dt.timedelta(minutes=10),
        "closed",
    )
    practice = QuizFactory(course=course)
    assert (practice.effective_attempts_allowed, practice.effective_delay) == (0, dt.timedelta(0))
    assert final.effective_time_limit is None


def test_the_defaults_come_from_the_settings_and_a_quiz_can_override_them(course, settings):
    settings.QUIZ_DEFAULTS = {
        **settings.QUIZ_DEFAULTS,
        "final": {**settings.QUIZ_DEFAULTS["final"], "attempts_allowed": 5},
    }
    final = Quiz.objects.get(pk=course.final_quiz_id)
    assert final.effective_attempts_allowed == 5
    final.attempts_allowed = 0
    assert final.effective_attempts_allowed == 0


# ------------------------------------------------------------------ attempts and delay


def test_a_start_during_the_delay_is_refused_until_the_delay_is_over(learner, quiz):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _take(learner, quiz, correct=False)
        clock.shift(dt.timedelta(minutes=9, seconds=59))
        with pytest.raises(quizzes.QuizRefused) as refused:
            services.quiz_attempt_start(learner=learner, quiz=quiz)
        assert refused.value.status == 429
        assert refused.value.retry_at is not None
        assert "再试" in refused.value.messages[0]
        assert QuizAttempt.objects.count() == 1
        clock.shift(dt.timedelta(seconds=2))
        second = services.quiz_attempt_start(learner=learner, quiz=quiz)
    assert QuizAttempt.objects.count() == 2 and not second.is_submitted


def test_a_start_beyond_the_attempts_allowed_is_refused(learner, quiz):
    quiz.attempt_delay_minutes = 0
    quiz.save()
    for _ in range(3):
        _take(learner, quiz, correct=False)
    with pytest.raises(quizzes.QuizRefused) as refused:
        services.quiz_attempt_start(learner=learner, quiz=quiz)
    assert refused.value.status == 403
    assert QuizAttempt.objects.count() == 3
    enrolment = Enrolment.objects.get(learner=learner)
    status = quizzes.quiz_status(enrolment=enrolment, quiz=quiz)
    assert (status.used, status.left, status.exhausted, status.can_start) == (3, 0, True, False)


def test_an_open_attempt_is_resumed_not_doubled(learner, quiz):
    first = services.quiz_attempt_start(learner=learner, quiz=quiz)
    again = services.quiz_attempt_start(learner=learner, quiz=quiz)
    assert again.pk == first.pk and again.question_ids == first.question_ids
    assert again.option_order == first.option_order


def test_a_resubmission_is_refused_and_changes_nothing(learner, quiz):
    attempt = _take(learner, quiz, correct=False)
    with pytest.raises(quizzes.QuizRefused):
        services.quiz_attempt_submit(attempt=attempt, learner=learner, data=as_form(answers(attempt, correct=True)))
    attempt.refresh_from_db()
    assert not attempt.passed and attempt.percent == 0


def test_another_learner_cannot_submit_or_save_an_attempt(learner, other_learner, quiz):
    attempt = services.quiz_attempt_start(learner=learner, quiz=quiz)
    data = as_form(answers(attempt))
    with pytest.raises(PermissionDenied):
        services.quiz_attempt_submit(attempt=attempt, learner=other_learner, data=data)
    with pytest.raises(PermissionDenied):
        quizzes.quiz_attempt_save(attempt=attempt, learner=other_learner, data=data)
    attempt.refresh_from_db()
    assert attempt.answers == {} and not attempt.is_submitted


def test_tampered_option_ids_refuse_the_whole_submission(learner, quiz):
    attempt = services.quiz_attempt_start(learner=learner, quiz=quiz)
    data = answers(attempt)
    single = next(k for k, v in data.items() if len(v) == 8)
    data[single] = "deadbeef"  # an id no option of this question has
    with pytest.raises(grading.SubmissionError):
        services.quiz_attempt_submit(attempt=attempt, learner=learner, data=as_form(data))
    with pytest.raises(grading.SubmissionError):
        quizzes.quiz_attempt_save(attempt=attempt, learner=learner, data=as_form(data))
    attempt.refresh_from_db()
    assert not attempt.is_submitted and attempt.answers == {}


# ------------------------------------------------------------------ time limit


@pytest.fixture
def timed(quiz):
    quiz.time_limit_minutes = 20
    quiz.save()
    return quiz


def test_the_deadline_is_stored_at_start_and_kept_on_reload(learner, timed):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = services.quiz_attempt_start(learner=learner, quiz=timed)
        assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=20)
        clock.shift(dt.timedelta(minutes=5))
        again = services.quiz_attempt_start(learner=learner, quiz=timed)
    assert (again.pk, again.deadline) == (attempt.pk, attempt.deadline)


def test_a_submission_after_the_time_limit_is_refused_and_graded_with_what_was_saved(learner, timed):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = services.quiz_attempt_start(learner=learner, quiz=timed)
        quizzes.quiz_attempt_save(attempt=attempt, learner=learner, data=as_form(answers(attempt, correct=True)))
        clock.shift(dt.timedelta(minutes=20, seconds=31))  # past the deadline and its 30 s of grace
        with pytest.raises(quizzes.QuizRefused) as refused:
            services.quiz_attempt_submit(
                attempt=attempt, learner=learner, data=as_form(answers(attempt, correct=False))
            )
    assert refused.value.status == 409
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.submitted_at == attempt.deadline
    assert attempt.passed and attempt.percent == 100  # the saved answers, not the late ones


def test_a_save_after_the_time_limit_is_refused_and_closes_the_attempt(learner, timed):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = services.quiz_attempt_start(learner=learner, quiz=timed)
        clock.shift(dt.timedelta(minutes=21))
        with pytest.raises(quizzes.QuizRefused):
            quizzes.quiz_attempt_save(attempt=attempt, learner=learner, data=as_form(answers(attempt)))
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.is_submitted and attempt.percent == 0


def test_a_submission_within_the_grace_counts(learner, timed):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = services.quiz_attempt_start(learner=learner, quiz=timed)
        clock.shift(dt.timedelta(minutes=20, seconds=20))
        attempt = services.quiz_attempt_submit(attempt=attempt, learner=learner, data=as_form(answers(attempt)))
    assert attempt.passed and not attempt.timed_out


def test_an_abandoned_attempt_is_closed_when_the_learner_comes_back_and_the_delay_runs_from_its_deadline(
    learner, timed
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = services.quiz_attempt_start(learner=learner, quiz=timed)
        clock.shift(dt.timedelta(minutes=25))
        with pytest.raises(quizzes.QuizRefused) as refused:  # closed at 20 min: 5 of the 10 min delay left
            services.quiz_attempt_start(learner=learner, quiz=timed)
        assert refused.value.status == 429
        first.refresh_from_db()
        assert first.timed_out and first.submitted_at == first.deadline
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        second = services.quiz_attempt_start(learner=learner, quiz=timed)
    assert second.pk != first.pk


# ------------------------------------------------------------------ draws and option order


def test_option_order_is_stored_per_attempt_and_grading_stays_by_option_id(learner, quiz, provider_a):
    wide = QuestionFactory(
        provider=provider_a,
        options=[{"id": f"{n:08x}", "text": f"选项{n}"} for n in range(8)],
        answer=["00000005"],
    )
    quiz.quiz_questions.create(question=wide, sort_order=9)
    orders = set()
    quiz.attempt_delay_minutes, quiz.attempts_allowed = 0, 0
    quiz.save()
    for _ in range(6):
        attempt = services.quiz_attempt_start(learner=learner, quiz=quiz)
        order = attempt.option_order[str(wide.pk)]
        assert sorted(order) == sorted(wide.option_ids)
        orders.add(tuple(order))
        labels = {o["id"]: o["label"] for o in quizzes.presented_options(wide, attempt)}
        assert [labels[i] for i in order] == list("ABCDEFGH")
        attempt = services.quiz_attempt_submit(attempt=attempt, learner=learner, data=as_form(answers(attempt)))
        assert attempt.results[str(wide.pk)]["correct"] is True
    assert len(orders) > 1  # 8! orders: six equal draws would be a broken shuffle


def test_draw_rules_add_random_questions_from_the_filtered_bank(learner, quiz, provider_a, provider_b):
    a_easy = [QuestionFactory(provider=provider_a, knowledge_point="电气安全", difficulty=d) for d in (1, 2, 3, 3)]
    a_hard = [QuestionFactory(provider=provider_a, knowledge_point="电气安全", difficulty=5) for _ in range(3)]
    b = [QuestionFactory(provider=provider_a, knowledge_point="机械", category="期末", difficulty=2) for _ in range(3)]
    QuestionFactory(provider=provider_b, knowledge_point="电气安全", difficulty=1)  # another provider's bank
    QuizDrawRule.objects.create(quiz=quiz, count=3, knowledge_point="电气安全", difficulty_min=1, difficulty_max=3)
    QuizDrawRule.objects.create(quiz=quiz, count=2, category="期末", sort_order=1)
    fixed = set(quiz.quiz_questions.values_list("question_id", flat=True))
    attempt = services.quiz_attempt_start(learner=learner, quiz=quiz)
    ids = attempt.question_ids
    assert len(ids) == len(set(ids)) == len(fixed) + 5
    drawn = set(ids) - fixed
    assert len(drawn & {q.pk for q in a_easy}) == 3 and len(drawn & {q.pk for q in b}) == 2
    assert not drawn & {q.pk for q in a_hard}
    again = services.quiz_attempt_start(learner=learner, quiz=quiz)
    assert again.question_ids == ids  # fixed for the attempt


def test_a_draw_from_a_pool_that_shrank_is_refused_clearly(learner, quiz, provider_a):
    QuestionFactory(provider=provider_a, knowledge_point="消防", difficulty=1)
    QuizDrawRule.objects.create(quiz=quiz, count=2, knowledge_point="消防")
    with pytest.raises(quizzes.QuizRefused) as refused:
        services.quiz_attempt_start(learner=learner, quiz=quiz)
    assert "只剩 1 道" in refused.value.messages[0]
    assert not QuizAttempt.objects.exists()


def test_pool_sizes_count_what_earlier_rules_may_take(quiz, provider_a):
    shared = [QuestionFactory(provider=provider_a, knowledge_point="A", difficulty=2) for _ in range(4)]
    assert shared
    first = QuizDrawRule(quiz=quiz, count=3, knowledge_point="A")
    second = QuizDrawRule(quiz=quiz, count=2, difficulty_min=2, difficulty_max=2)  # the same four questions
    sizes = quizzes.draw_rule_pool_sizes(rules=[first, second], provider_id=provider_a.pk, taken=set())
    assert sizes == [4, 1]


# ------------------------------------------------------------------ 简答 and marking


@pytest.fixture
def with_short(quiz, provider_a):
    return add_short(quiz, provider_a)


def test_a_short_answer_waits_for_marks_then_completes_the_course(learner, staff_a, course, with_short):
    for lesson in course.lessons.filter(quiz__isnull=True):
        services.lesson_complete(learner=learner, lesson=lesson)
    attempt = _take(learner, course.final_quiz, correct=True)
    assert attempt.status == AttemptStatus.MARKING and not attempt.passed
    assert Enrolment.objects.get(learner=learner).completed_at is None
    assert list(quizzes.marking_queue(staff_a)) == [attempt]
    services.quiz_attempt_mark(
        attempt=attempt, marker=staff_a, data={f"mark-{with_short.pk}": "8", f"comment-{with_short.pk}": "步骤完整"}
    )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.DONE and attempt.passed
    assert attempt.score == Decimal(28) and attempt.percent == Decimal("93.3")
    assert attempt.results[str(with_short.pk)]["comment"] == "步骤完整"
    assert Enrolment.objects.get(learner=learner).completed_at is not None
    assert LessonProgress.objects.filter(lesson__quiz=course.final_quiz).exists()
    assert not quizzes.marking_queue(staff_a).exists()


def test_an_empty_short_answer_needs_no_marks(learner, quiz, with_short):
    attempt = services.quiz_attempt_start(learner=learner, quiz=quiz)
    attempt = services.quiz_attempt_submit(
        attempt=attempt, learner=learner, data=as_form(answers(attempt, correct=True, short=""))
    )
    assert attempt.status == AttemptStatus.DONE and attempt.percent == Decimal("66.7")


def test_another_providers_staff_cannot_mark(learner, staff_b, quiz, with_short):
    attempt = _take(learner, quiz, correct=True)
    assert not quizzes.marking_queue(staff_b).exists()
    with pytest.raises(PermissionDenied):
        services.quiz_attempt_mark(attempt=attempt, marker=staff_b, data={f"mark-{with_short.pk}": "10"})
    with pytest.raises(PermissionDenied):
        services.quiz_attempt_mark(attempt=attempt, marker=learner, data={f"mark-{with_short.pk}": "10"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.MARKING


@pytest.mark.parametrize("mark", ["10.5", "-1", "NaN", "Infinity", "", "abc", "1e999"])
def test_a_mark_outside_the_questions_score_is_refused(learner, staff_a, quiz, with_short, mark):
    attempt = _take(learner, quiz, correct=True)
    with pytest.raises(ValidationError):
        services.quiz_attempt_mark(attempt=attempt, marker=staff_a, data={f"mark-{with_short.pk}": mark})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.MARKING and attempt.results[str(with_short.pk)]["pending"]


def test_a_marked_attempt_cannot_be_marked_again(learner, staff_a, quiz, with_short):
    attempt = _take(learner, quiz, correct=True)
    services.quiz_attempt_mark(attempt=attempt, marker=staff_a, data={f"mark-{with_short.pk}": "2"})
    with pytest.raises(quizzes.QuizRefused):
        services.quiz_attempt_mark(attempt=attempt, marker=staff_a, data={f"mark-{with_short.pk}": "10"})
    attempt.refresh_from_db()
    assert attempt.results[str(with_short.pk)]["score"] == "2.0"


# ------------------------------------------------------------------ review


def _visible(attempt):
    attempt.refresh_from_db()
    status = quizzes.quiz_status(enrolment=attempt.enrolment, quiz=attempt.quiz)
    return quizzes.answers_visible(attempt, status)


def test_answers_are_shown_only_after_passing_or_the_last_attempt(learner, quiz):
    quiz.attempt_delay_minutes = 0
    quiz.save()
    first = _take(learner, quiz, correct=False)
    assert not _visible(first)
    second = _take(learner, quiz, correct=False)
    assert not _visible(first) and not _visible(second)
    third = _take(learner, quiz, correct=False)  # the last
    assert _visible(first) and _visible(third)


def test_answers_are_shown_after_passing(learner, quiz):
    quiz.attempt_delay_minutes = 0
    quiz.save()
    failed = _take(learner, quiz, correct=False)
    passed = _take(learner, quiz, correct=True)
    assert _visible(passed) and _visible(failed)


@pytest.mark.parametrize(("policy", "after_fail", "after_pass"), [("never", False, False), ("always", True, True)])
def test_the_review_policy_is_configurable(learner, quiz, policy, after_fail, after_pass):
    quiz.review, quiz.attempt_delay_minutes = policy, 0
    quiz.save()
    assert _visible(_take(learner, quiz, correct=False)) is after_fail
    assert _visible(_take(learner, quiz, correct=True)) is after_pass
