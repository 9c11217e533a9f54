"""Shared personas and a published course, so permission tests read as a matrix."""

import pytest

from accounts.roles import organiser_group
from courses import services
from courses.models import QuestionKind
from tests.factories import (
    ChapterFactory,
    CourseFactory,
    LessonFactory,
    ProviderFactory,
    QuestionFactory,
    QuizFactory,
    QuizQuestionFactory,
    UserFactory,
)

PASSWORD = "pass-1234-word"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def site(db):
    return services.catalogue_page_ensure()


@pytest.fixture
def provider_a(site):
    return services.provider_setup(provider=ProviderFactory(name="甲培训中心", slug="provider-a"))


@pytest.fixture
def provider_b(site):
    return services.provider_setup(provider=ProviderFactory(name="乙职业学院", slug="provider-b"))


@pytest.fixture
def learner(db):
    return UserFactory(username="learner", real_name="张三")


@pytest.fixture
def other_learner(db):
    return UserFactory(username="learner2", real_name="李四")


@pytest.fixture
def staff_a(provider_a):
    user = UserFactory(username="staff_a", real_name="甲机构编辑")
    services.provider_member_add(provider=provider_a, user=user)
    return user


@pytest.fixture
def staff_b(provider_b):
    user = UserFactory(username="staff_b", real_name="乙机构编辑")
    services.provider_member_add(provider=provider_b, user=user)
    return user


@pytest.fixture
def organiser(site):
    user = UserFactory(username="organiser", real_name="组委会", is_staff=True)
    user.groups.add(organiser_group())
    user.is_superuser = True
    user.save()
    return user


def build_course(provider, *, title="工业互联网平台应用", code="IIOT-101", publish=True, lessons=2, with_quiz=True):
    """A course with one chapter, `lessons` text lessons and, optionally, a final quiz lesson."""
    course = CourseFactory(provider=provider, title=title, code=code)
    chapter = ChapterFactory(course=course, title="第一章 概述", sort_order=1)
    for i in range(lessons):
        LessonFactory(chapter=chapter, course=course, title=f"课时{i + 1}", sort_order=i + 1)
    if with_quiz:
        quiz = QuizFactory(course=course, title="结业测验")
        single = QuestionFactory(provider=provider, kind=QuestionKind.SINGLE, external_id=f"{code}-1")
        tf = QuestionFactory(
            provider=provider, kind=QuestionKind.TRUE_FALSE, options=[], answer=True, external_id=f"{code}-2"
        )
        QuizQuestionFactory(quiz=quiz, question=single, sort_order=1)
        QuizQuestionFactory(quiz=quiz, question=tf, sort_order=2)
        LessonFactory(chapter=chapter, course=course, title="结业测验", sort_order=lessons + 1, quiz=quiz, body="")
        course.final_quiz = quiz
        course.save()
    if publish:
        services.course_page_ensure(course=course)
    return course


@pytest.fixture
def course(provider_a):
    return build_course(provider_a)


# ------------------------------------------------------------------ enterprise training: reports
# A training manager (企业培训管理员) of an employer; the organisation is
# `manager_a.organisation_memberships.get().organisation`.


@pytest.fixture
def manager_a(db):
    from organisations import services as organisation_services
    from organisations.models import MembershipRole, OrganisationKind

    organisation = organisation_services.organisation_create(
        kind=OrganisationKind.EMPLOYER, name="甲精密制造有限公司", credit_code="91320506MA1P8Q3R4P"
    )
    user = UserFactory(username="manager_a", real_name="周敏")
    organisation_services.membership_add(organisation=organisation, user=user, role=MembershipRole.TRAINING_MANAGER)
    return user
