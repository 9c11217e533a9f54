"""Course completion: one rule, asked by every write that may finish a course (a lesson done, a quiz
passed, a 简答 mark given). Apart from services.py so that courses/quizzes.py can call it without an
import cycle; `services.enrolment_refresh_completion` is the same function.
"""

from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import Enrolment, QuizAttempt


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
    # The completion certificate is rendered in the background once this is committed.
    from certificates.tasks import issue_completion

    transaction.on_commit(lambda: issue_completion.enqueue(enrolment.pk), robust=True)
    return True
