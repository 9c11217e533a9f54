"""Certificates: a completed enrolment, an issued certificate, a clean rate-limit cache."""

import pytest

from django.core.cache import cache
from django.utils import timezone

from courses.models import Enrolment


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def completed_enrolment(learner, course):
    learner.id_number = "11010519491231002X"
    learner.save()
    return Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())


@pytest.fixture
def certificate(completed_enrolment):
    from certificates.services import certificate_issue_completion

    return certificate_issue_completion(enrolment=completed_enrolment)


@pytest.fixture
def pdf_bytes(certificate):
    with certificate.pdf.open("rb") as handle:
        return handle.read()
