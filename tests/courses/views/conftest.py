"""Fixtures of the course views' tests."""

import pytest

from courses import services
from tests.conftest import build_course
from tests.factories import ProviderFactory


@pytest.fixture
def course_b(provider_b):
    """A course of provider B, for the tests that check provider A's staff cannot reach it."""
    return build_course(provider_b, title="乙机构数控编程", code="CNC-201")


@pytest.fixture
def provider_a(site):
    """Trusted here: these tests are about scoping and forms, so provider A's staff write the live records
    directly. What an untrusted provider's edits of a live course go through is tests/courses/changes/."""
    return services.provider_setup(provider=ProviderFactory(name="甲培训中心", slug="provider-a", trusted=True))
