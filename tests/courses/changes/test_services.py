"""Who goes through the review of the records: the rules of courses/changes/services.py."""

import pytest

from django.core.exceptions import PermissionDenied

from courses.changes import services as changes
from courses.models import ChangeStatus, CourseChange, QuizDrawRule
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_a_question_a_live_draw_rule_may_draw_is_reviewed_by_its_old_or_new_values(staff_a, organiser, course):
    QuizDrawRule.objects.create(quiz=course.final_quiz, count=1, knowledge_point="电气安全")
    drawn = QuestionFactory(provider=course.provider, knowledge_point="电气安全", difficulty=2)
    loose = QuestionFactory(provider=course.provider, knowledge_point="网络", difficulty=2)
    assert changes.needs_review(user=staff_a, instance=drawn)
    assert not changes.needs_review(user=staff_a, instance=loose)
    loose.knowledge_point = "电气安全"  # edited into the pool: learners would be asked it
    assert changes.needs_review(user=staff_a, instance=loose)
    drawn.knowledge_point = "网络"  # edited out of the pool: learners would no longer be asked it
    assert changes.needs_review(user=staff_a, instance=drawn)
    assert not changes.needs_review(user=organiser, instance=drawn)


def test_only_organisers_decide_and_a_refusal_writes_nothing(staff_a, course):
    chapter = course.chapters.first()
    chapter.title = "改过的章名"
    change = changes.change_record(user=staff_a, instance=chapter)
    changes.change_submit(change=change, user=staff_a, note="")
    change.refresh_from_db()
    with pytest.raises(PermissionDenied):
        changes.change_approve(change=change, user=staff_a, version=change.version)
    with pytest.raises(PermissionDenied):
        changes.change_return(change=change, user=staff_a, version=change.version, comment="x")
    change.refresh_from_db()
    chapter.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED and chapter.title == "第一章 概述"


def test_another_providers_staff_cannot_record_a_change(staff_b, course):
    chapter = course.chapters.first()
    chapter.title = "篡改"
    with pytest.raises(PermissionDenied):
        changes.change_record(user=staff_b, instance=chapter)
    assert not CourseChange.objects.exists()
