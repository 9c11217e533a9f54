"""`selectors.lesson_is_unlocked` (read by the study socket, the video's range requests, quizzes and
completion) says what the course page's `enrolment_state` says, for every lesson and every progress."""

import itertools

import pytest

from courses import selectors, services
from courses.models import Lesson, LessonProgress
from tests.conftest import build_course
from tests.factories import ChapterFactory, LessonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_in_two_chapters(provider_a):
    """Chapter 2 is created first but sorted last, and its lessons' ids are lower than chapter 1's: the
    order is the chapters' and lessons' sort order, not ids. The second lesson is optional."""
    course = build_course(provider_a, code="UNLOCK", lessons=0, with_quiz=False)
    first = course.chapters.get()
    second = ChapterFactory(course=course, title="第二章", sort_order=2)
    LessonFactory(chapter=second, course=course, title="2-1", sort_order=1)
    LessonFactory(chapter=second, course=course, title="2-2", sort_order=2)
    LessonFactory(chapter=first, course=course, title="1-1", sort_order=1)
    LessonFactory(chapter=first, course=course, title="1-2", sort_order=2, is_required=False)
    LessonFactory(chapter=first, course=course, title="1-3", sort_order=3)
    return course


@pytest.mark.parametrize("sequential", [True, False])
def test_each_lesson_is_unlocked_exactly_when_the_enrolment_state_says_so(learner, course_in_two_chapters, sequential):
    course = course_in_two_chapters
    course.sequential = sequential
    course.save()
    enrolment = services.enrolment_create(learner=learner, course=course)
    lessons = list(Lesson.objects.filter(course=course).select_related("course"))
    assert [lesson.title for lesson in lessons] == ["1-1", "1-2", "1-3", "2-1", "2-2"]
    seen = set()
    for done in itertools.chain.from_iterable(itertools.combinations(lessons, k) for k in range(len(lessons) + 1)):
        LessonProgress.objects.filter(enrolment=enrolment).delete()
        LessonProgress.objects.bulk_create(LessonProgress(enrolment=enrolment, lesson=lesson) for lesson in done)
        expected = selectors.enrolment_state(enrolment).unlocked_ids
        got = {lesson.pk for lesson in lessons if selectors.lesson_is_unlocked(enrolment, lesson)}
        assert got == expected, [lesson.title for lesson in done]
        seen.add(frozenset(got))
    # Sequential: the unlocked set grows lesson by lesson (an optional lesson does not block).
    assert len(seen) == (4 if sequential else 1)


def test_a_lesson_of_another_course_is_never_unlocked(learner, course, provider_a):
    other = build_course(provider_a, code="OTHER", with_quiz=False)
    other.sequential = False
    other.save()
    enrolment = services.enrolment_create(learner=learner, course=course)
    assert not selectors.lesson_is_unlocked(enrolment, other.lessons.first())
    assert selectors.lesson_is_unlocked(enrolment, course.lessons.order_by("sort_order").first())


def test_many_pairs_are_answered_at_once_as_each_would_be(learner, other_learner, course_in_two_chapters, provider_a):
    """`unlocked_pairs` (a connect storm's study sockets) answers every pair as the course page's
    `enrolment_state` does: two learners at different places, two sequential courses and a lesson of a
    course the enrolment is not for, in one call with two statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = course_in_two_chapters
    second = build_course(provider_a, code="UNLOCK-2", lessons=3, with_quiz=False)
    for course in (first, second):
        course.sequential = True
        course.save()
    enrolments = [
        services.enrolment_create(learner=person, course=course)
        for person in (learner, other_learner)
        for course in (first, second)
    ]
    lessons = {c.pk: list(Lesson.objects.filter(course=c).select_related("course")) for c in (first, second)}
    LessonProgress.objects.bulk_create(
        [LessonProgress(enrolment=enrolments[0], lesson=lessons[first.pk][i]) for i in (0, 2)]  # not 1-2
        + [LessonProgress(enrolment=enrolments[3], lesson=lessons[second.pk][0])]
    )
    everything = [lesson for course_lessons in lessons.values() for lesson in course_lessons]
    pairs = [(enrolment, lesson) for enrolment in enrolments for lesson in everything]
    with CaptureQueriesContext(connection) as queries:
        got = selectors.unlocked_pairs(pairs)
    assert len(queries) == 2
    expected = {(e.pk, lesson_id) for e in enrolments for lesson_id in selectors.enrolment_state(e).unlocked_ids}
    assert got == expected
    assert (enrolments[0].pk, lessons[first.pk][3].pk) in got  # 1-2, optional, does not block 2-1
    assert not any(lesson.course_id != e.course_id for e, lesson in pairs if (e.pk, lesson.pk) in got)


@pytest.mark.parametrize("sequential", [True, False])
def test_the_state_once_a_lesson_is_done_is_what_the_page_shows_after_it(learner, course_in_two_chapters, sequential):
    """`enrolment_state_once_done` (a lesson page's list after its video completes itself) equals the
    state read back once that lesson really is done, from every progress and for every lesson."""
    course = course_in_two_chapters
    course.sequential = sequential
    course.save()
    enrolment = services.enrolment_create(learner=learner, course=course)
    lessons = selectors.ordered_lessons(course.pk)
    for done in itertools.chain.from_iterable(itertools.combinations(lessons, k) for k in range(len(lessons))):
        LessonProgress.objects.filter(enrolment=enrolment).delete()
        LessonProgress.objects.bulk_create(LessonProgress(enrolment=enrolment, lesson=lesson) for lesson in done)
        state = selectors.enrolment_state(enrolment, lessons)
        for lesson in lessons:
            if lesson in done:
                continue
            predicted = selectors.enrolment_state_once_done(state, lessons, lesson_id=lesson.pk, sequential=sequential)
            LessonProgress.objects.create(enrolment=enrolment, lesson=lesson)
            real = selectors.enrolment_state(enrolment, lessons)
            LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).delete()
            assert (predicted.unlocked_ids, predicted.percent, predicted.done_ids) == (
                real.unlocked_ids,
                real.percent,
                real.done_ids,
            )
