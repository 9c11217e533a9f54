"""Shared personas and a published course, so permission tests read as a matrix."""

import os

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


def pytest_configure(config):
    from tests import flush

    flush.install()  # a transactional test's teardown empties only the tables it wrote to


def pytest_collection_modifyitems(config, items):
    """What an `@pytest.mark.embedded` test checks does not depend on the database or Redis (benchmarks
    on their own scratch SQLite, settings read in subprocesses, the transport's tuning, the hosts and
    layout of pages): the PostgreSQL + Redis pass of .ci/run would only repeat it."""
    if not os.environ.get("DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="backend-independent: run in the embedded pass")
    for item in items:
        if item.get_closest_marker("embedded"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture(autouse=True)
def _source_language():
    """Each test starts in the site's language: the language middleware activates the visitor's
    language for the thread and a request of an earlier test (an English cookie) would leak it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _site_cache():
    """The request's Site and SiteSettings are cached (cms/sites.py); a test's rows are rolled back
    without a signal, so each test starts without an earlier test's."""
    from django.core.cache import cache

    from cms.sites import CACHE_KEY

    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)


@pytest.fixture(autouse=True)
def _stats_stamp():
    """The statistics' refresh stamp is kept for a moment per process (stats/selectors.py); a test's
    rows are rolled back, so each test reads its own."""
    from stats.selectors import refresh_state_forget

    refresh_state_forget()
    yield
    refresh_state_forget()


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


# ------------------------------------------------------------------ enterprise training (issue 12)
# Two employers and their 企业培训管理员 (OrganisationMembership role training_manager).


def _employer(name: str, code17: str):
    from organisations import creditcode
    from organisations import services as organisation_services
    from organisations.models import OrganisationKind

    return organisation_services.organisation_create(
        kind=OrganisationKind.EMPLOYER, name=name, credit_code=creditcode.complete(code17)
    )


@pytest.fixture
def employer_a(db):
    return _employer("苏州精工机电有限公司", "91320505MA1N7K2Q3")


@pytest.fixture
def employer_b(db):
    return _employer("杭州云帆软件技术有限公司", "91330106MA2CFK4X6")


def _training_manager(organisation, username: str, real_name: str):
    from organisations import services as organisation_services
    from organisations.models import MembershipRole

    user = UserFactory(username=username, real_name=real_name)
    organisation_services.membership_add(organisation=organisation, user=user, role=MembershipRole.TRAINING_MANAGER)
    return user


@pytest.fixture
def manager_a(employer_a):
    return _training_manager(employer_a, "training_manager_a", "周敏")


@pytest.fixture
def manager_b(employer_b):
    return _training_manager(employer_b, "training_manager_b", "钱进")


# ------------------------------------------------------------------ end of enterprise training
