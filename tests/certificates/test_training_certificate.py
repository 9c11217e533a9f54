"""培训合格证书: issued through the certificate pipeline to a member of a subsidised class who completed
its courses and passed its final assessment: numbered PX…, carrying the name, the masked ID number,
the programme, the dates and the institution, verifiable, and issued once however often it is asked."""

import json
from io import StringIO

import pytest

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates.credentials import verify_credential
from certificates.models import Certificate, CertificateKind
from certificates.snapshots import sample_context
from tests.certificates.helpers import pdftotext, qr_decode
from tests.conftest import build_course
from tests.training.applications_world import (
    approve,
    attempt,
    complete_course,
    make_class,
    open_now,
    subsidised,
    two_workers,
)
from training.models import TrainingClass
from training.records import class_record
from training.services.certificates import training_class_certificates_issue

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def course_two(provider_a):
    return build_course(provider_a, title="工业控制系统安全", code="SEC-201")


@pytest.fixture
def workers(employer_a):
    return two_workers(employer_a)


@pytest.fixture
def subsidised_class(employer_a, provider_a, course, course_two, workers):
    return subsidised(employer_a, provider_a, [course, course_two], workers)


@pytest.fixture
def running(subsidised_class, manager_a, organiser):
    approve(subsidised_class, by=manager_a, organiser=organiser, pass_mark=80)
    return open_now(subsidised_class, days_ago=10)


def _pass(user, *courses, percent=85):
    for course in courses:
        complete_course(user, course)
    return attempt(user, courses[0].final_quiz, percent)


def _pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def _sweep() -> dict:
    out = StringIO()
    call_command("issue_training_certificates", stdout=out)
    return json.loads(out.getvalue())


def test_passing_the_class_issues_a_verifiable_certificate(client, running, workers, course, course_two):
    (wang, wang_entry), (liu, _liu_entry) = workers
    _pass(wang, course, course_two)
    report = _sweep()
    assert report["issued"] == 1 and report["failed"] == 0
    certificate = Certificate.objects.get(holder=wang)
    assert certificate.kind == CertificateKind.TRAINING
    assert certificate.number.startswith(f"PX{THIS_YEAR}0")
    assert certificate.source == f"training:{running.pk}"
    assert not Certificate.objects.filter(holder=liu, kind=CertificateKind.TRAINING).exists()

    text = "".join(pdftotext(_pdf(certificate)).split())
    assert "培训合格证书" in text
    assert "王芳" in text
    masked = wang_entry.id_number_masked
    assert masked.startswith("320505") and masked.count("*") == 8
    assert masked in text  # masked, as on the roster
    assert wang_entry.id_number not in text
    assert running.name in text
    assert "工业互联网平台应用" in text and "工业控制系统安全" in text
    assert "甲培训中心" in text  # the provider running the class
    assert certificate.number in text
    assert running.starts_on.strftime("%Y年%-m月%-d日") in text
    assert running.deadline.strftime("%Y年%-m月%-d日") in text

    snapshot = certificate.snapshot
    assert snapshot["programme"]["score"] == "85" and snapshot["programme"]["pass_mark"] == "80"
    assert snapshot["programme"]["organisation"] == running.organisation.name
    assert verify_credential(certificate.credential)
    assert any(certificate.code in url for url in qr_decode(_pdf(certificate)))
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "培训合格证书" in body and running.name in body and masked in body


def test_a_certificate_is_issued_once(
    client, running, workers, course, course_two, manager_a, django_capture_on_commit_callbacks
):
    wang, _entry = workers[0]
    _pass(wang, course, course_two)
    assert _sweep()["issued"] == 1
    assert _sweep()["issued"] == 0
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("training:class_record_issue", args=[running.pk]))
    assert response.status_code == 302
    assert training_class_certificates_issue(training_class=running)["issued"] == 0
    attempt(wang, course.final_quiz, 100)  # a better attempt later changes nothing
    assert _sweep()["issued"] == 0
    assert Certificate.objects.filter(holder=wang, kind=CertificateKind.TRAINING).count() == 1


def test_the_record_page_button_issues_what_is_owed(
    client, running, workers, course, course_two, manager_a, django_capture_on_commit_callbacks
):
    wang, _entry = workers[0]
    _pass(wang, course, course_two)
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:class_record_issue", args=[running.pk]))
    certificate = Certificate.objects.get(holder=wang, kind=CertificateKind.TRAINING)
    body = client.get(reverse("training:class_record", args=[running.pk])).content.decode()
    assert certificate.number in body


def test_no_certificate_below_the_pass_mark_or_with_a_course_unfinished(running, workers, course, course_two):
    (wang, _e1), (liu, _e2) = workers
    _pass(wang, course, course_two, percent=79)  # the quiz's own pass mark is 60, the class asks 80
    complete_course(liu, course)
    attempt(liu, course.final_quiz, 95)  # SEC-201 not completed
    assert _sweep()["issued"] == 0
    assert not Certificate.objects.filter(kind=CertificateKind.TRAINING).exists()
    rows = {row.name: row for row in class_record(running).members}
    assert not rows["王芳"].passed and not rows["刘强"].passed


def test_no_certificate_for_an_unsubsidised_or_unapproved_class(
    employer_a, provider_a, course, course_two, workers, manager_a, organiser
):
    wang, entry = workers[0]
    for is_subsidised in (False, True):
        training_class = make_class(
            organisation=employer_a,
            provider=provider_a,
            courses=[course, course_two],
            entries=[entry],
            name=f"班级{is_subsidised}",
            subsidised=is_subsidised,
        )
        TrainingClass.objects.filter(pk=training_class.pk).update(status="open")
    _pass(wang, course, course_two)
    assert _sweep()["issued"] == 0
    assert not Certificate.objects.filter(kind=CertificateKind.TRAINING).exists()


def test_an_attempt_after_the_deadline_does_not_pass_the_class(running, workers, course, course_two):
    wang, _entry = workers[0]
    for c in (course, course_two):
        complete_course(wang, c, when=timezone.now() - timezone.timedelta(days=2))
    TrainingClass.objects.filter(pk=running.pk).update(deadline=timezone.localdate() - timezone.timedelta(days=1))
    attempt(wang, course.final_quiz, 90)  # today: after the deadline
    running.refresh_from_db()
    rows = {row.name: row for row in class_record(running).members}
    assert rows["王芳"].courses_done == 2 and rows["王芳"].assessment_best is None and not rows["王芳"].passed
    assert _sweep()["issued"] == 0


def test_the_template_editor_previews_the_training_layout():
    context = sample_context("training")
    assert context["programme"]["name"].endswith("培训班")
    assert context["holder"]["id_number_masked"].count("*") == 8
