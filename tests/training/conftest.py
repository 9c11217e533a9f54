"""Fixtures of the enterprise training tests."""

import pytest

from tests.conftest import build_course
from tests.training.applications_world import subsidised, two_workers

# ------------------------------------------------------------------ 开班申请, sign-ins, the class record
# A subsidised class of employer A run by provider A, with two workers enrolled on two courses.


@pytest.fixture
def course_two(provider_a):
    return build_course(provider_a, title="工业控制系统安全", code="SEC-201")


@pytest.fixture
def workers(employer_a):
    return two_workers(employer_a)


@pytest.fixture
def subsidised_class(employer_a, provider_a, course, course_two, workers):
    return subsidised(employer_a, provider_a, [course, course_two], workers)
