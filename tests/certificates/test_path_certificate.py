"""专题结业证书: issued through the certificate pipeline when a learner completes a path's last required
course, once per learner and path; its PDF names the path and its courses, it verifies at
/verify/<code>/, and the owed sweeper issues what completion missed."""

import json
from io import StringIO

import pytest

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certificates import snapshots
from certificates.credentials import verify_credential
from certificates.models import Certificate, CertificateKind
from certificates.paths import owed_path_certificates_issue, path_certificates_issue
from certificates.services import certificate_issue_path
from certificates.tasks import on_profile_saved
from certificates.templating import layout_check, layout_default
from courses import services as course_services
from courses.models import Enrolment, LessonProgress
from tests.certificates.helpers import login, pdftotext, qr_decode
from tests.conftest import build_course

THIS_YEAR = timezone.localdate().year


def _finish(learner, course, capture):
    """Complete every lesson and let the completion rule run, its on-commit tasks included."""
    enrolment, _created = Enrolment.objects.get_or_create(learner=learner, course=course)
    for lesson in course.lessons.all():
        LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    with capture(execute=True):
        course_services.enrolment_refresh_completion(enrolment=enrolment)
    return enrolment


@pytest.fixture
def courses(provider_a):
    made = []
    for code, title, hours in (("DT-1", "数字技术基础", 12), ("DT-2", "工业数据分析", 8), ("DT-3", "数字孪生选讲", 4)):
        course = build_course(provider_a, title=title, code=code, with_quiz=False, lessons=1)
        course.hours = hours
        course.save()
        made.append(course)
    return made


@pytest.fixture
def path(courses):
    return course_services.learning_path_create(
        title="数字技术工程师", theme="数字技术工程师", courses=courses, optional=(courses[2],)
    )


def _pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_completing_the_last_required_course_issues_the_path_certificate(
    path, courses, learner, client, django_capture_on_commit_callbacks
):
    _finish(learner, courses[0], django_capture_on_commit_callbacks)
    assert not Certificate.objects.filter(kind=CertificateKind.PATH).exists()
    _finish(learner, courses[1], django_capture_on_commit_callbacks)  # the optional third is not needed
    certificate = Certificate.objects.get(kind=CertificateKind.PATH)
    assert certificate.holder == learner and certificate.source == f"path:{path.pk}"
    assert certificate.number.startswith(f"ZT{THIS_YEAR}0")
    assert [c["title"] for c in certificate.snapshot["path"]["courses"]] == ["数字技术基础", "工业数据分析"]
    assert certificate.snapshot["path"]["hours"] == "20"
    flat = "".join(pdftotext(_pdf(certificate)).split())
    assert "专题结业证书" in flat and "数字技术工程师" in flat and "张三" in flat
    assert "数字技术基础" in flat and "工业数据分析" in flat and "数字孪生选讲" not in flat
    assert verify_credential(certificate.credential)
    assert certificate.credential["credentialSubject"]["achievement"]["achievementType"] == "LearningProgram"
    assert any(certificate.code in url for url in qr_decode(_pdf(certificate)))
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "专题结业证书" in body and "数字技术工程师" in body
    login(client, learner)
    assert reverse("certificates:download", args=[certificate.pk]) in client.get(path.url).content.decode()


def test_a_completed_optional_course_is_listed_as_elective(path, courses, learner, django_capture_on_commit_callbacks):
    _finish(learner, courses[2], django_capture_on_commit_callbacks)
    _finish(learner, courses[0], django_capture_on_commit_callbacks)
    _finish(learner, courses[1], django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(kind=CertificateKind.PATH)
    assert [(c["code"], c["required"]) for c in certificate.snapshot["path"]["courses"]] == [
        ("DT-1", True),
        ("DT-2", True),
        ("DT-3", False),
    ]
    assert "选修" in pdftotext(_pdf(certificate))


def test_it_is_issued_once_per_learner_and_path(path, courses, learner, django_capture_on_commit_callbacks):
    for course in courses:
        _finish(learner, course, django_capture_on_commit_callbacks)
    first = Certificate.objects.get(kind=CertificateKind.PATH)
    assert certificate_issue_path(learner=learner, page=path).pk == first.pk
    assert [c.pk for c in path_certificates_issue(learner=learner)] == [first.pk]
    assert owed_path_certificates_issue()["issued"] == 0
    # The path changes afterwards (a new required course): the certificate stays, once.
    extra = build_course(courses[0].provider, title="新增课程", code="DT-4", with_quiz=False, lessons=1)
    revision = path.save_revision()
    revision.publish()
    path.steps.create(course=extra, required=True, sort_order=9)
    assert certificate_issue_path(learner=learner, page=path).pk == first.pk
    assert Certificate.objects.filter(kind=CertificateKind.PATH).count() == 1


def test_nothing_is_issued_before_every_required_course_is_completed(path, courses, learner):
    Enrolment.objects.create(learner=learner, course=courses[0], completed_at=timezone.now())
    Enrolment.objects.create(learner=learner, course=courses[1])
    assert certificate_issue_path(learner=learner, page=path) is None
    assert path_certificates_issue(learner=learner) == []
    assert not Certificate.objects.filter(kind=CertificateKind.PATH).exists()


def test_a_draft_path_issues_nothing(courses, learner):
    draft = course_services.learning_path_create(title="草稿专题", courses=courses[:1], publish=False)
    Enrolment.objects.create(learner=learner, course=courses[0], completed_at=timezone.now())
    assert certificate_issue_path(learner=learner, page=draft) is None
    assert owed_path_certificates_issue()["owed"] == 0


def test_a_path_published_after_its_courses_were_completed_is_issued_by_the_sweeper(courses, learner, other_learner):
    for person in (learner, other_learner):
        for course in courses[:2]:
            Enrolment.objects.create(learner=person, course=course, completed_at=timezone.now())
    page = course_services.learning_path_create(title="后来的专题", courses=courses[:2])
    out = StringIO()
    call_command("issue_owed_certificates", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["paths"]["owed"] == 2
    out = StringIO()
    call_command("issue_owed_certificates", stdout=out)
    report = json.loads(out.getvalue())["paths"]
    assert report["issued"] == 2 and report["failed"] == 0
    assert set(Certificate.objects.filter(source=f"path:{page.pk}").values_list("holder", flat=True)) == {
        learner.pk,
        other_learner.pk,
    }
    assert owed_path_certificates_issue()["owed"] == 0


@override_settings(CERTIFICATE_REQUIRES_IDENTITY=True)
def test_a_certificate_waiting_for_identity_is_issued_once_the_profile_is_complete(
    path, courses, learner, client, django_capture_on_commit_callbacks
):
    learner.id_number, learner.phone = "", ""
    learner.save()
    for course in courses[:2]:
        Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    assert certificate_issue_path(learner=learner, page=path) is None
    login(client, learner)
    assert "信息待补充" in client.get(path.url).content.decode()
    assert owed_path_certificates_issue()["identity_pending"] == 1
    learner.id_number, learner.phone = "11010519491231002X", "13800138000"
    learner.save()
    with django_capture_on_commit_callbacks(execute=True):
        on_profile_saved(sender=None, user=learner)
    certificate = Certificate.objects.get(kind=CertificateKind.PATH, holder=learner)
    assert certificate.snapshot["holder"]["id_number_masked"].startswith("110")


def test_the_built_in_layout_and_the_editor_sample_render(path):
    layout = layout_default("path")
    layout_check(layout.html, layout.css)
    sample = snapshots.sample_context("path")
    assert sample["path"]["courses"][0]["title"] == "工业互联网平台应用"
    assert sample["path"]["required"] == 1
