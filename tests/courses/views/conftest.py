"""Fixtures of the course views' tests."""

import pytest

from tests.conftest import build_course


@pytest.fixture
def course_b(provider_b):
    """A course of provider B, for the tests that check provider A's staff cannot reach it."""
    return build_course(provider_b, title="乙机构数控编程", code="CNC-201")
