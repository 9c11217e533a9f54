"""seed_demo: realistic demo content through the services, and a second run that changes nothing."""

import io

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from accounts.demo import ORGANISER
from accounts.idcard import validate_id_number
from accounts.roles import is_organiser
from courses import services
from courses.demo.data import LEARNER_PASSWORD
from courses.models import (
    Category,
    Chapter,
    Course,
    CoursePage,
    Enrolment,
    Lesson,
    LessonProgress,
    LessonVideo,
    Provider,
    ProviderMembership,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizQuestion,
)

MODELS = [
    Provider,
    ProviderMembership,
    Category,
    Course,
    Chapter,
    Lesson,
    Question,
    Quiz,
    QuizQuestion,
    Enrolment,
    LessonProgress,
    LessonVideo,
    QuizAttempt,
    Page,
    Revision,
]


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["User"] = get_user_model().objects.count()
    counts["Image"] = get_image_model().objects.count()
    return counts


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module (it is the slow part), run it a second time, roll both back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")), PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private"))
        ),
        transaction.atomic(),
    ):
        username, _password = ORGANISER
        first_output = _seed()
        first = _counts()
        organiser = get_user_model().objects.get(username=username)
        organiser.set_password("changed-by-the-owner-2026")
        organiser.save()
        second_output = _seed()
        yield {"first": first, "second": _counts(), "output": first_output, "second_output": second_output}
        transaction.set_rollback(True)


def test_seed_demo_twice_builds_the_demo_once_and_the_organiser_can_log_in(seeded, db, client):
    username, password = ORGANISER

    assert seeded["second"] == seeded["first"]
    assert "没有新增内容" in seeded["second_output"]
    assert f"{username} / {password}" in seeded["output"]
    assert seeded["first"]["Provider"] >= 3
    assert Category.objects.count() == 8
    assert CoursePage.objects.live().count() >= 24
    # an existing user keeps the password its owner chose
    assert client.login(username=username, password="changed-by-the-owner-2026")
    organiser = get_user_model().objects.get(username=username)
    assert organiser.is_superuser and organiser.is_staff and is_organiser(organiser)
    assert organiser.groups.filter(name="组织者").exists()
    assert client.get("/admin/").status_code == 200


def test_seeded_courses_have_chapters_rich_text_and_a_mixed_final_quiz(seeded, db, client):
    courses = Course.objects.select_related("final_quiz", "page", "cover")
    assert courses.count() == 24
    for course in courses:
        assert course.page.live and course.cover is not None
        assert 2 <= course.chapters.count() <= 3
        lessons = list(course.lessons.all())
        assert all(lesson.body.startswith("<p>") for lesson in lessons)
        final = [lesson for lesson in lessons if lesson.quiz_id]
        assert len(final) == 1 and final[0].quiz_id == course.final_quiz_id == lessons[-1].quiz_id
        kinds = {qq.question.kind for qq in course.final_quiz.quiz_questions.select_related("question")}
        assert len(course.final_quiz.quiz_questions.all()) >= 4
        assert {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE, QuestionKind.FILL} <= kinds
    # Video lessons play the shipped demo videos, from their provider's own collection; no outside links.
    assert not Lesson.objects.exclude(video_url="").exists()
    for course in courses:
        played = [lesson.video for lesson in course.lessons.exclude(video=None).select_related("video")]
        assert played and all(video.collection_id == course.provider.collection_id for video in played)
    assert LessonVideo.objects.count() == 3 * Provider.objects.count()
    assert {round(v.duration) for v in LessonVideo.objects.all()} == {30, 45, 60}
    assert all(
        v.width == 426 and v.height == 240 and v.file.name.startswith("videos/") for v in LessonVideo.objects.all()
    )
    assert len({c.category_id for c in courses}) == 8
    assert len({c.level for c in courses}) >= 5 and len({c.delivery for c in courses}) == 3
    for question in Question.objects.all():
        question.full_clean()  # the JSON formats the grader expects

    page = Course.objects.get(code="SEC-201").page
    response = client.get(page.url)
    assert response.status_code == 200
    assert "工业控制系统安全防护" in response.content.decode()


def test_seeded_people_have_roles_valid_id_numbers_and_varied_progress(seeded, db, client):
    User = get_user_model()
    for n, provider in enumerate(Provider.objects.order_by("pk"), 1):
        staff = User.objects.get(username=f"provider{n}")
        assert ProviderMembership.objects.filter(provider=provider, user=staff).exists()
    learners = User.objects.filter(username__startswith="learner").order_by("username")
    assert learners.count() == 6
    for learner in learners:
        assert learner.real_name and learner.organisation and len(learner.phone) == 11
        validate_id_number(learner.id_number)
    assert Enrolment.objects.filter(completed_at__isnull=False).count() >= 1
    assert LessonProgress.objects.exists()
    passed_not_completed = QuizAttempt.objects.filter(passed=True, enrolment__completed_at__isnull=True)
    assert passed_not_completed.exists()
    assert QuizAttempt.objects.filter(passed=False).exists()
    assert client.login(username="learner1", password=LEARNER_PASSWORD)
    assert client.get("/learn/").status_code == 200


def test_seed_demo_courses_option_adds_generated_courses_with_live_pages(seeded, db, client):
    _seed("--courses", "5")
    first = _counts()
    _seed("--courses", "5")

    assert _counts() == first
    generated = Course.objects.filter(code__startswith="GEN-").select_related("page")
    assert generated.count() == 5
    assert CoursePage.objects.live().count() == 29
    assert all(problems == [] for problems in Page.find_problems())
    course = generated.first()
    page = course.page
    assert page.live_revision_id and page.live_revision_id == page.latest_revision_id
    assert page.get_latest_revision_as_object().course_id == course.pk
    assert course.lessons.count() == 4
    assert client.get(page.url).status_code == 200
    stored = course.search_text
    services.course_reindex(course_id=course.pk)
    course.refresh_from_db()
    assert course.search_text == stored  # the bulk path writes what the service would
    # a page added the ordinary way lands after the bulk-written ones
    extra = Course.objects.create(provider=course.provider, code="EXTRA-1", title="补充课程")
    services.course_page_ensure(course=extra)
    assert CoursePage.objects.get(course=extra).live
    assert all(problems == [] for problems in Page.find_problems())
