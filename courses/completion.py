"""Course completion: one rule, asked by every write that may finish a course (a lesson done, a quiz
passed, a 简答 mark given), and the 学时 it credits. Apart from services.py so that courses/quizzes.py can call it without an
import cycle; `services.enrolment_refresh_completion` is the same function.
"""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from . import selectors
from .models import CreditedHours, Enrolment, QuizAttempt, StudyDay


def enrolment_refresh_completion(*, enrolment: Enrolment) -> bool:
    """Complete the course once every required lesson is done and the final quiz is passed."""
    if enrolment.completed_at:
        return True
    state = selectors.enrolment_state(enrolment)
    if state.required_done < state.required_total:
        return False
    course = enrolment.course
    if (
        course.final_quiz_id
        and not QuizAttempt.objects.filter(enrolment=enrolment, quiz_id=course.final_quiz_id, passed=True).exists()
    ):
        return False
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_at"])
    hours_credit(enrolment=enrolment)
    # The completion certificate, and those of learning paths this completes, are rendered in the
    # background once this is committed.
    from certificates.tasks import issue_completion, issue_paths

    transaction.on_commit(lambda: issue_completion.enqueue(enrolment.pk), robust=True)
    transaction.on_commit(lambda: issue_paths.enqueue(enrolment.learner_id, enrolment.course_id), robust=True)
    return True


@transaction.atomic
def hours_credit(*, enrolment: Enrolment) -> CreditedHours | None:
    """Credit the course's 学时 to a completed enrolment, once: the course's hours at this moment and
    the effective study time (the StudyDay ledger of this learner and course) recorded so far.

    Idempotent: a second call returns the first credit unchanged, so a course whose hours are edited
    later, or study time added after completion, never changes 学时 already credited. None when the
    enrolment is not completed.
    """
    if not enrolment.completed_at:
        return None
    existing = CreditedHours.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing
    course = enrolment.course
    effective = StudyDay.objects.filter(learner_id=enrolment.learner_id, course_id=course.pk).aggregate(
        total=Sum("seconds")
    )["total"]
    credit, _created = CreditedHours.objects.get_or_create(
        enrolment=enrolment,
        defaults={
            "learner_id": enrolment.learner_id,
            "course": course,
            "hours": course.hours,
            "effective_seconds": effective or 0,
            "credited_at": enrolment.completed_at,
        },
    )
    return credit


def hours_credit_missing(*, limit: int | None = None) -> int:
    """Credit every completed enrolment that has no credit yet (those completed before the ledger
    existed, or a credit lost to an error); how many were credited."""
    todo = Enrolment.objects.filter(completed_at__isnull=False, credited_hours__isnull=True)
    todo = todo.select_related("course").order_by("pk")
    credited = 0
    for enrolment in todo[:limit] if limit else todo.iterator():
        if hours_credit(enrolment=enrolment) is not None:
            credited += 1
    return credited
