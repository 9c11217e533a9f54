"""Service rules, and the promise that page edits never touch learner records."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from courses import services
from courses.models import CoursePage, Enrolment, LessonProgress, ProviderPage
from tests.conftest import build_course
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def progressed(learner, course):
    enrolment = services.enrolment_create(learner=learner, course=course)
    services.lesson_complete(learner=learner, lesson=course.lessons.order_by("sort_order").first())
    return enrolment


def _learner_data(course):
    return (
        Enrolment.objects.filter(course=course).count(),
        LessonProgress.objects.filter(enrolment__course=course).count(),
    )


def test_enrolment_is_idempotent(learner, course):
    first = services.enrolment_create(learner=learner, course=course)
    second = services.enrolment_create(learner=learner, course=course)
    assert first.pk == second.pk and Enrolment.objects.count() == 1


def test_lessons_must_be_studied_in_order(learner, course):
    services.enrolment_create(learner=learner, course=course)
    second = course.lessons.order_by("sort_order")[1]
    with pytest.raises(ValidationError):
        services.lesson_complete(learner=learner, lesson=second)
    assert not LessonProgress.objects.exists()


def test_non_sequential_course_opens_every_lesson(learner, course):
    course.sequential = False
    course.save()
    services.enrolment_create(learner=learner, course=course)
    second = course.lessons.order_by("sort_order")[1]
    services.lesson_complete(learner=learner, lesson=second)
    assert LessonProgress.objects.filter(lesson=second).exists()


def test_quiz_lesson_cannot_be_ticked_off(learner, course):
    course.sequential = False
    course.save()
    services.enrolment_create(learner=learner, course=course)
    with pytest.raises(ValidationError):
        services.lesson_complete(learner=learner, lesson=course.lessons.get(quiz__isnull=False))


def test_lesson_without_enrolment_is_refused(learner, course):
    with pytest.raises(PermissionDenied):
        services.lesson_complete(learner=learner, lesson=course.lessons.first())


def test_course_without_final_quiz_completes_when_required_lessons_are_done(learner, provider_a):
    course = build_course(provider_a, code="NOQUIZ", with_quiz=False)
    enrolment = services.enrolment_create(learner=learner, course=course)
    for lesson in course.lessons.order_by("sort_order"):
        services.lesson_complete(learner=learner, lesson=lesson)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_optional_lessons_do_not_block_completion(learner, provider_a):
    course = build_course(provider_a, code="OPT", with_quiz=False)
    last = course.lessons.order_by("sort_order").last()
    last.is_required = False
    last.save()
    enrolment = services.enrolment_create(learner=learner, course=course)
    services.lesson_complete(learner=learner, lesson=course.lessons.order_by("sort_order").first())
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_republishing_and_reverting_the_page_keeps_learner_data(progressed, course):
    before = _learner_data(course)
    page = CoursePage.objects.get(course=course)
    first_revision = page.latest_revision
    page.body = "<p>新的介绍</p>"
    page.save_revision().publish()
    first_revision.publish()  # revert to the old revision
    page.refresh_from_db()
    page.unpublish()
    page.save_revision().publish()
    assert _learner_data(course) == before == (1, 1)


def test_moving_the_page_keeps_learner_data(progressed, course, provider_a):
    other = ProviderPage.objects.get(provider=provider_a)
    page = CoursePage.objects.get(course=course)
    sibling_parent = ProviderPage(title="临时", slug="tmp", provider=ProviderFactory())
    other.get_parent().add_child(instance=sibling_parent)
    page.move(sibling_parent, pos="last-child")
    assert _learner_data(course) == (1, 1)


def test_deleting_the_page_keeps_the_course_and_learner_data(progressed, course):
    CoursePage.objects.get(course=course).delete()
    course.refresh_from_db()
    assert _learner_data(course) == (1, 1)


def test_provider_setup_is_idempotent(provider_a):
    again = services.provider_setup(provider=provider_a)
    assert again.group_id == provider_a.group_id
    assert ProviderPage.objects.filter(provider=provider_a).count() == 1


def test_course_page_ensure_checks_the_user(provider_a, provider_b, staff_b):
    course = build_course(provider_a, code="GUARD", publish=False, with_quiz=False)
    with pytest.raises(PermissionDenied):
        services.course_page_ensure(course=course, user=staff_b)
    assert not CoursePage.objects.filter(course=course).exists()


def test_course_page_slug_is_the_course_code(provider_a):
    course = build_course(provider_a, title="工业控制系统安全防护", code="ICS-SEC-01", with_quiz=False)
    page = CoursePage.objects.get(course=course)
    assert page.slug == "ics-sec-01"
    assert page.url.endswith("/courses/provider-a/ics-sec-01/")
