"""学时证明: issued from the credited 学时 of a period, idempotent per period and credits, rendered as a
PDF that lists the courses and verifies; forged periods and other people's requests are refused."""

import datetime as dt
from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certificates.credentials import verify_credential
from certificates.models import Certificate, CertificateKind
from certificates.services import certificate_issue_study_hours
from courses import services as course_services
from courses.models import CreditedHours, Enrolment, StudyDay
from tests.certificates.helpers import login, pdftotext, qr_decode
from tests.conftest import build_course

THIS_YEAR = timezone.localdate().year


def _complete(learner, course, *, when=None, seconds=0):
    enrolment = Enrolment.objects.create(learner=learner, course=course)
    if seconds:
        lesson = course.lessons.first()
        StudyDay.objects.create(
            learner=learner, course=course, lesson=lesson, day=timezone.localdate(), seconds=seconds
        )
    enrolment.completed_at = when or timezone.now()
    enrolment.save()
    course_services.hours_credit(enrolment=enrolment)
    return enrolment


@pytest.fixture
def credited(learner, provider_a):
    course = build_course(provider_a, title="工业互联网平台应用", code="IIOT-101")
    course.hours = Decimal("12")
    course.save()
    other = build_course(provider_a, title="工业控制系统安全", code="SEC-201")
    other.hours = Decimal("8.5")
    other.save()
    _complete(learner, course, seconds=5 * 3600 + 1800)
    _complete(learner, other, seconds=3600)
    return course, other


def _pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_the_pdf_lists_the_courses_hours_and_totals_and_verifies(credited, learner, client):
    start, end = dt.date(THIS_YEAR, 1, 1), timezone.localdate()
    certificate, created = certificate_issue_study_hours(holder=learner, start=start, end=end)
    assert created and certificate.kind == CertificateKind.STUDY_HOURS
    assert certificate.number.startswith(f"XS{THIS_YEAR}0")
    text = pdftotext(_pdf(certificate))
    flat = "".join(text.split())
    assert "学时证明" in flat
    assert "工业互联网平台应用" in flat and "工业控制系统安全" in flat
    assert "张三" in flat
    assert "20.5" in flat  # 12 + 8.5 credited
    assert "6.5" in flat  # 5.5 h + 1 h effective
    assert certificate.snapshot["study"]["hours"] == "20.5"
    assert certificate.snapshot["study"]["effective_hours"] == "6.5"
    assert [c["hours"] for c in certificate.snapshot["study"]["courses"]] == ["12", "8.5"]
    assert verify_credential(certificate.credential)
    assert any(certificate.code in url for url in qr_decode(_pdf(certificate)))
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "学时证明" in body and "20.5" in body


def test_the_same_period_gives_the_same_certificate_until_new_hours_are_credited(credited, learner, provider_a):
    start, end = dt.date(THIS_YEAR, 1, 1), timezone.localdate()
    first, created = certificate_issue_study_hours(holder=learner, start=start, end=end)
    again, created_again = certificate_issue_study_hours(holder=learner, start=start, end=end)
    assert created and not created_again and again.pk == first.pk
    _complete(learner, build_course(provider_a, title="数控加工", code="CNC-1"))
    newer, created_newer = certificate_issue_study_hours(holder=learner, start=start, end=end)
    assert created_newer and newer.pk != first.pk
    assert newer.snapshot["study"]["count"] == 3


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(THIS_YEAR, 3, 1), dt.date(THIS_YEAR, 1, 1), "开始日期不能晚于结束日期"),
        (dt.date(THIS_YEAR, 1, 1), timezone.localdate() + dt.timedelta(days=1), "结束日期不能晚于今天"),
        (dt.date(1999, 1, 1), dt.date(1999, 12, 31), "2000"),
        (dt.date(THIS_YEAR - 6, 1, 1), timezone.localdate(), "最多涵盖"),
    ],
)
def test_forged_periods_are_refused(credited, learner, start, end, message):
    with pytest.raises(ValidationError, match=message):
        certificate_issue_study_hours(holder=learner, start=start, end=end)
    assert not Certificate.objects.filter(kind=CertificateKind.STUDY_HOURS).exists()


def test_a_period_without_credits_is_refused_with_a_clear_message(credited, learner):
    with pytest.raises(ValidationError, match="没有已认定学时的课程"):
        certificate_issue_study_hours(holder=learner, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31))


def test_the_request_form_issues_for_a_year_and_shows_it(credited, learner, client):
    login(client, learner)
    response = client.post(reverse("certificates:study_hours"), {"year": str(THIS_YEAR)})
    assert response.status_code == 302
    certificate = Certificate.objects.get(kind=CertificateKind.STUDY_HOURS)
    assert certificate.holder == learner
    page = client.get(reverse("certificates:study_hours"))
    assert certificate.number in page.content.decode()
    # again: the same one, no second certificate
    client.post(reverse("certificates:study_hours"), {"year": str(THIS_YEAR)})
    assert Certificate.objects.filter(kind=CertificateKind.STUDY_HOURS).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"year": "abc"},
        {"year": str(THIS_YEAR + 1)},
        {"year": "99999999999999999999"},
        {"start": "2025-13-40", "end": "x"},
        {"start": f"{THIS_YEAR}-05-01", "end": f"{THIS_YEAR}-01-01"},
        {"start": "2001-01-01", "end": "2001-12-31"},
        {"start": "1900-01-01", "end": "1900-02-01"},
        {"start": "x" * 100_000},
    ],
)
def test_bad_requests_are_refused_with_a_message_never_a_500(credited, learner, client, data):
    login(client, learner)
    response = client.post(reverse("certificates:study_hours"), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Certificate.objects.filter(kind=CertificateKind.STUDY_HOURS).exists()


def test_only_ones_own_credits_are_listed(credited, learner, other_learner, client):
    login(client, other_learner)
    response = client.post(reverse("certificates:study_hours"), {"year": str(THIS_YEAR)})
    assert response.status_code == 400
    assert "没有已认定学时的课程" in response.content.decode()
    # a forged holder field changes nothing: the holder is always the signed-in person
    response = client.post(reverse("certificates:study_hours"), {"year": str(THIS_YEAR), "holder": learner.pk})
    assert not Certificate.objects.filter(kind=CertificateKind.STUDY_HOURS).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.post(reverse("certificates:study_hours"), {"year": str(THIS_YEAR)})
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_daily_cap_stops_a_flood_of_periods(credited, learner, settings):
    settings.STUDY_HOURS_PER_DAY = 2
    today = timezone.localdate()
    certificate_issue_study_hours(holder=learner, start=dt.date(THIS_YEAR, 1, 1), end=today)
    certificate_issue_study_hours(holder=learner, start=dt.date(THIS_YEAR - 1, 1, 1), end=today)
    with pytest.raises(ValidationError, match="上限"):
        certificate_issue_study_hours(holder=learner, start=dt.date(THIS_YEAR - 2, 1, 1), end=today)


def test_identity_is_required_when_the_site_requires_it(credited, learner, settings):
    settings.CERTIFICATE_REQUIRES_IDENTITY = True
    with pytest.raises(ValidationError, match="身份证号"):
        certificate_issue_study_hours(holder=learner, start=dt.date(THIS_YEAR, 1, 1), end=timezone.localdate())
    assert CreditedHours.objects.filter(learner=learner).count() == 2  # the credits stay; only the proof waits
    assert not Certificate.objects.filter(kind=CertificateKind.STUDY_HOURS).exists()


def test_a_field_error_shows_at_the_top_with_the_others_in_either_language(credited, learner, client, settings):
    """A year before 2000 is a field error: it sits in the alert above the form, like every other error."""
    login(client, learner)
    url = reverse("certificates:study_hours")

    def form(response):
        body = response.content.decode()
        return body[body.index('id="study-hours-form"') : body.index("</form>", body.index('id="study-hours-form"'))]

    chinese = form(client.post(url, {"year": "1999"}))
    assert chinese.index('<div class="alert" role="alert">') < chinese.index("年度：确保该值大于或等于2000。")
    assert chinese.index("年度：确保该值大于或等于2000。") < chinese.index('type="submit"')
    assert chinese.count('role="alert"') == 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = form(client.post(url, {"year": "1999"}))
    assert english.index('<div class="alert" role="alert">') < english.index("Year: Ensure this value")
    assert english.index("Year: Ensure this value") < english.index('type="submit"')
    assert "：" not in english
