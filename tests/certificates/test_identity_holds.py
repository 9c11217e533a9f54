"""Identity before certification: a certificate whose course or site requires a real name, a valid
身份证号 and a mobile number waits in 信息待补充 until the profile holds them, then is issued."""

import pytest

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.identity import identity_missing
from certificates.models import Certificate, CertificateHold
from certificates.owed import owed_certificates_issue
from certificates.services import certificate_issue_completion
from courses.models import Enrolment
from tests.certificates.helpers import login

VALID_ID = "11010519491231002X"


@pytest.fixture
def strict_course(course):
    course.requires_identity = True
    course.save()
    return course


@pytest.fixture
def completed(learner, strict_course):
    learner.real_name, learner.id_number, learner.phone = "张三", "", ""
    learner.save()
    return Enrolment.objects.create(learner=learner, course=strict_course, completed_at=timezone.now())


def test_a_profile_without_identity_gets_no_certificate_but_a_hold(completed):
    assert certificate_issue_completion(enrolment=completed) is None
    assert not Certificate.objects.exists()
    hold = CertificateHold.objects.get(enrolment=completed)
    assert hold.missing == ["id_number", "phone"]


def test_the_site_setting_requires_it_for_every_course(learner, course, settings):
    settings.CERTIFICATE_REQUIRES_IDENTITY = True
    enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    assert certificate_issue_completion(enrolment=enrolment) is None
    assert CertificateHold.objects.filter(enrolment=enrolment).exists()


def test_nothing_is_held_when_nothing_requires_identity(learner, course):
    enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    assert certificate_issue_completion(enrolment=enrolment) is not None
    assert not CertificateHold.objects.exists()


@pytest.mark.parametrize(
    ("id_number", "phone", "missing"),
    [
        ("110105194912310021", "13800138000", ["id_number"]),  # wrong check digit
        ("110105194913310028", "13800138000", ["id_number"]),  # month 13
        ("11010519491231002", "13800138000", ["id_number"]),  # 17 characters
        (VALID_ID, "12800138000", ["phone"]),  # no such prefix
        (VALID_ID, "1380013800", ["phone"]),  # 10 digits
        (VALID_ID, "+8613800138000", ["phone"]),
        (VALID_ID, "1380013800０", ["phone"]),  # full-width digit
        (VALID_ID, "13800138000", []),
    ],
)
def test_identity_shapes_and_checksum(learner, id_number, phone, missing):
    learner.id_number, learner.phone = id_number, phone
    assert identity_missing(learner) == missing


def test_completing_the_profile_issues_the_held_certificate(
    client, completed, learner, django_capture_on_commit_callbacks
):
    certificate_issue_completion(enrolment=completed)
    login(client, learner)
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert 'id="identity-held"' in dashboard and "信息待补充" in dashboard
    mine = client.get(reverse("certificates:mine")).content.decode()
    assert 'id="identity-held"' in mine
    profile = client.get(reverse("accounts:profile") + "?identity=1").content.decode()
    assert 'id="identity-missing"' in profile
    data = {"real_name": "张三", "organisation": "", "phone": "13800138000", "email": learner.email}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:profile"), {**data, "id_number": VALID_ID})
    assert response.status_code == 302
    certificate = Certificate.objects.get(enrolment=completed)
    assert certificate.snapshot["holder"]["id_number_masked"] == "110105********002X"
    assert not CertificateHold.objects.exists()
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert 'id="identity-held"' not in dashboard and 'class="certificate-link"' in dashboard


def test_an_invalid_id_number_on_the_profile_is_refused_and_nothing_is_issued(client, completed, learner):
    certificate_issue_completion(enrolment=completed)
    login(client, learner)
    data = {"real_name": "张三", "phone": "13800138000", "email": learner.email, "id_number": "110105194912310021"}
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 400
    assert "校验位" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_forged_profile_post_changes_only_ones_own_profile(client, completed, learner, other_learner):
    login(client, other_learner)
    data = {"real_name": "李四", "phone": "13900139000", "email": other_learner.email, "id_number": VALID_ID}
    response = client.post(reverse("accounts:profile"), {**data, "id": learner.pk, "username": learner.username})
    assert response.status_code == 302
    learner.refresh_from_db()
    other_learner.refresh_from_db()
    assert (learner.id_number, learner.phone) == ("", "")
    assert other_learner.id_number == VALID_ID and other_learner.username == "learner2"
    assert not Certificate.objects.exists()  # the learner's hold stays


def test_the_sweeper_issues_held_certificates_once_the_profile_is_complete(completed, learner):
    certificate_issue_completion(enrolment=completed)
    later = timezone.now() + timezone.timedelta(minutes=5)
    report = owed_certificates_issue(now=later)
    assert report["issued"] == 0 and report["identity_pending"] == 1 and report["due"] == 0
    learner.id_number, learner.phone = VALID_ID, "13800138000"
    learner.save()  # e.g. an organiser fixed the profile in the admin: no signal
    report = owed_certificates_issue(now=later)
    assert report["issued"] == 1 and report["identity_pending"] == 0
    assert Certificate.objects.filter(enrolment=completed).exists()
    assert not CertificateHold.objects.exists()


def test_the_task_at_completion_holds_then_the_command_issues(completed, learner):
    from certificates.tasks import issue_completion

    issue_completion.enqueue(completed.pk)
    assert CertificateHold.objects.filter(enrolment=completed).exists()
    learner.id_number, learner.phone = VALID_ID, "13800138000"
    learner.save()
    Enrolment.objects.filter(pk=completed.pk).update(completed_at=timezone.now() - timezone.timedelta(hours=1))
    call_command("issue_owed_certificates")
    assert Certificate.objects.filter(enrolment=completed).exists()


def test_signup_asks_for_identity_when_the_site_requires_it(client, db, settings):
    settings.CERTIFICATE_REQUIRES_IDENTITY = True
    form = client.get(reverse("accounts:signup")).content.decode()
    assert 'name="id_number"' in form and 'name="phone"' in form
    base = {"username": "newbie", "email": "n@example.com", "password1": "Zx9!long-pass", "password2": "Zx9!long-pass"}
    response = client.post(reverse("accounts:signup"), {**base, "real_name": "王五"})
    assert response.status_code == 200  # missing ID number and phone
    bad = {**base, "real_name": "王五", "phone": "13800138000", "id_number": "110105194912310021"}
    assert client.post(reverse("accounts:signup"), bad).status_code == 200
    good = {**bad, "id_number": VALID_ID.lower()}
    assert client.post(reverse("accounts:signup"), good).status_code == 302
    from accounts.models import User

    assert User.objects.get(username="newbie").id_number == VALID_ID


def test_signup_does_not_ask_when_the_site_does_not_require_it(client, db):
    form = client.get(reverse("accounts:signup")).content.decode()
    assert 'name="id_number"' not in form
