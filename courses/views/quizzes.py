"""The learner's quiz pages: the quiz (start, resume, answer, autosave, submit) and the attempt's review.

The rules are in courses/quizzes.py; these views ask it and say its answers. The correct answers reach
a page only through `quizzes.attempt_sheet(with_answers=True)`, which the review asks for only when
`quizzes.answers_visible` allows it.
"""

import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import grading, quizzes, selectors
from courses.models import Enrolment, Lesson, QuizAttempt

from .learner import _error


def _intro(request, lesson, enrolment, *, error=None, status=200):
    quiz = lesson.quiz
    state = quizzes.quiz_status(enrolment=enrolment, quiz=quiz)
    attempts = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz, submitted_at__isnull=False).order_by(
        "started_at"
    )
    context = {
        "lesson": lesson,
        "quiz": quiz,
        "course": lesson.course,
        "state": state,
        "attempts": attempts,
        "time_limit_minutes": _minutes(quiz.effective_time_limit),
        "error": error,
    }
    response = render(request, "courses/quiz_intro.html", context, status=status)
    if state.wait_seconds:
        response["Retry-After"] = str(state.wait_seconds)
    return response


def _minutes(delta) -> int:
    return math.ceil(delta.total_seconds() / 60) if delta else 0


@login_required
@require_http_methods(["GET", "POST"])
def quiz_take(request, lesson_id: int):
    """GET: the open attempt (resumed, same deadline) or the quiz's start page; POST: start an attempt."""
    lesson = get_object_or_404(Lesson.objects.select_related("course__page", "quiz__course"), pk=lesson_id)
    if lesson.quiz is None:
        return _error(request, _("本课时没有测验"), 404, lesson.course)
    enrolment = Enrolment.objects.select_related("course").filter(learner=request.user, course=lesson.course).first()
    if enrolment is None:
        return _error(request, _("请先报名该课程"), 403, lesson.course)
    if not selectors.lesson_is_unlocked(enrolment, lesson):
        return _error(request, _("请先完成前面的必修课时"), 403, lesson.course)
    for attempt in QuizAttempt.objects.filter(enrolment=enrolment, quiz=lesson.quiz, submitted_at__isnull=True):
        if quizzes.quiz_attempt_close_if_overdue(attempt=attempt):
            return redirect("courses:attempt", attempt_id=attempt.pk)
    if request.method == "POST":
        try:
            quizzes.quiz_attempt_start(learner=request.user, quiz=lesson.quiz, lesson=lesson)
        except quizzes.QuizRefused as exc:
            return _intro(request, lesson, enrolment, error=exc.messages[0], status=exc.status)
        except PermissionDenied as exc:
            return _error(request, str(exc) or _("请先报名该课程"), 403, lesson.course)
        except ValidationError as exc:
            return _error(request, exc.messages[0], 400, lesson.course)
        return redirect("courses:quiz", lesson_id=lesson.pk)
    attempt = QuizAttempt.objects.filter(enrolment=enrolment, quiz=lesson.quiz, submitted_at__isnull=True).first()
    if attempt is None:
        return _intro(request, lesson, enrolment)
    state = quizzes.quiz_status(enrolment=enrolment, quiz=lesson.quiz)
    context = {
        "lesson": lesson,
        "quiz": lesson.quiz,
        "attempt": attempt,
        "rows": quizzes.attempt_sheet(attempt),
        "state": state,
        "seconds_left": (
            max(int((attempt.deadline - timezone.now()).total_seconds()), 0) if attempt.deadline else None
        ),
    }
    return render(request, "courses/quiz.html", context)


def _own_attempt(request, attempt_id: int):
    attempt = get_object_or_404(QuizAttempt.objects.select_related("quiz__course__page", "enrolment"), pk=attempt_id)
    if attempt.learner_id != request.user.pk:
        raise PermissionDenied
    return attempt


@login_required
@require_POST
def attempt_save(request, attempt_id: int):
    """The quiz page's autosave: JSON in, JSON out; the answers themselves are never sent back."""
    try:
        attempt = _own_attempt(request, attempt_id)
        attempt = quizzes.quiz_attempt_save(attempt=attempt, learner=request.user, data=request.POST)
    except PermissionDenied:
        return JsonResponse({"error": _("不能保存他人的测验")}, status=403)
    except grading.SubmissionError as exc:
        return JsonResponse({"error": _("提交的答案无效：%(reason)s") % {"reason": exc}}, status=400)
    except quizzes.QuizRefused as exc:
        return JsonResponse({"error": exc.messages[0], "closed": True}, status=exc.status)
    return JsonResponse({"saved_at": attempt.saved_at.isoformat()})


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):
    try:
        attempt = _own_attempt(request, attempt_id)
    except PermissionDenied:
        return _error(request, _("不能提交他人的测验"), 403)
    try:
        attempt = quizzes.quiz_attempt_submit(attempt=attempt, learner=request.user, data=request.POST)
    except grading.SubmissionError as exc:
        return _error(request, _("提交的答案无效：%(reason)s") % {"reason": exc}, 400, attempt.quiz.course)
    except quizzes.QuizRefused as exc:
        return _error(request, exc.messages[0], exc.status, attempt.quiz.course)
    return redirect("courses:attempt", attempt_id=attempt.pk)


@login_required
@require_GET
def attempt_detail(request, attempt_id: int):
    try:
        attempt = _own_attempt(request, attempt_id)
    except PermissionDenied:
        return _error(request, _("不能查看他人的测验"), 403)
    quizzes.quiz_attempt_close_if_overdue(attempt=attempt)
    attempt.refresh_from_db()
    lesson = attempt.quiz.lessons.first()
    if not attempt.is_submitted:
        return redirect("courses:quiz", lesson_id=lesson.pk) if lesson else redirect("courses:dashboard")
    state = quizzes.quiz_status(enrolment=attempt.enrolment, quiz=attempt.quiz)
    show_answers = quizzes.answers_visible(attempt, state)
    context = {
        "attempt": attempt,
        "rows": quizzes.attempt_sheet(attempt, with_answers=show_answers),
        "show_answers": show_answers,
        "state": state,
        "lesson": lesson,
        "next": selectors.next_step(attempt.enrolment) if attempt.passed else None,
        "course": attempt.quiz.course,
    }
    return render(request, "courses/attempt.html", context)
