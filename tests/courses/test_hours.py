"""学时 ledger: credited once on completion with the effective time of the study ledger; 我的学习 and
the ledger page show per course and per year (Asia/Shanghai) figures."""

import datetime as dt
from decimal import Decimal

import pytest

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses import ledger, services
from courses.models import CreditedHours, Enrolment, LessonProgress, StudyDay
from tests.conftest import build_course
from tests.factories import UserFactory


def _study(learner, course, seconds, day=None, lesson=None):
    return StudyDay.objects.create(
        learner=learner,
        course=course,
        lesson=lesson or course.lessons.first(),
        day=day or timezone.localdate(),
        seconds=seconds,
    )


def _finish_lessons(learner, course):
    services.enrolment_create(learner=learner, course=course)
    for lesson in course.lessons.order_by("sort_order"):
        services.lesson_complete(learner=learner, lesson=lesson)
    return Enrolment.objects.get(learner=learner, course=course)


def test_completion_credits_the_course_hours_once_with_the_effective_seconds_summed(learner, provider_a):
    course = build_course(provider_a, with_quiz=False)
    course.hours = Decimal("12.5")
    course.save()
    lessons = list(course.lessons.order_by("sort_order"))
    _study(learner, course, 600, day=timezone.localdate() - dt.timedelta(days=1), lesson=lessons[0])
    _study(learner, course, 900, lesson=lessons[1])
    other = build_course(provider_a, title="别的课程", code="OTHER-1", with_quiz=False)
    _study(learner, other, 4000)  # another course's time is not this course's
    enrolment = _finish_lessons(learner, course)
    assert enrolment.completed_at
    credit = CreditedHours.objects.get(enrolment=enrolment)
    assert (credit.hours, credit.effective_seconds, credit.course, credit.learner) == (
        Decimal("12.5"),
        1500,
        course,
        learner,
    )
    assert credit.credited_at == enrolment.completed_at
    # later edits and later study change nothing already credited
    course.hours = 40
    course.save()
    _study(learner, course, 700, day=timezone.localdate() + dt.timedelta(days=1), lesson=lessons[0])
    assert services.hours_credit(enrolment=enrolment).pk == credit.pk
    services.enrolment_refresh_completion(enrolment=enrolment)
    assert CreditedHours.objects.filter(learner=learner).count() == 1
    credit.refresh_from_db()
    assert (credit.hours, credit.effective_seconds) == (Decimal("12.5"), 1500)


def test_an_unfinished_enrolment_is_not_credited(learner, course):
    enrolment = services.enrolment_create(learner=learner, course=course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=course.lessons.first())
    assert services.hours_credit(enrolment=enrolment) is None
    assert not CreditedHours.objects.exists()


def test_credit_hours_command_credits_enrolments_completed_before(learner, other_learner, course):
    done = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    Enrolment.objects.create(learner=other_learner, course=course)  # not completed
    _study(learner, course, 120)
    call_command("credit_hours")
    call_command("credit_hours")  # again: nothing more
    assert list(CreditedHours.objects.values_list("enrolment_id", "effective_seconds")) == [(done.pk, 120)]


def test_years_follow_shanghai_time(learner, provider_a):
    course = build_course(provider_a, with_quiz=False)
    course.hours = 10
    course.save()
    # 2024-12-31 17:00 UTC is 2025-01-01 01:00 in Shanghai
    completed = dt.datetime(2024, 12, 31, 17, 0, tzinfo=dt.UTC)
    enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=completed)
    services.hours_credit(enrolment=enrolment)
    _study(learner, course, 7200, day=dt.date(2024, 12, 30))
    figures = ledger.learner_ledger(learner)
    years = {y.year: y for y in figures.years}
    assert years[2025].credited_hours == 10 and years[2025].courses == 1
    assert years[2024].credited_hours == 0 and years[2024].effective_hours == Decimal("2.0")


def test_dashboard_shows_effective_time_credited_hours_and_the_certificate(
    client, learner, provider_a, django_capture_on_commit_callbacks
):
    course = build_course(provider_a, with_quiz=False)
    course.hours = 8
    course.save()
    _study(learner, course, 5400)
    learner.id_number = "11010519491231002X"
    learner.save()
    with django_capture_on_commit_callbacks(execute=True):
        _finish_lessons(learner, course)
    client.force_login(learner)
    page = client.get(reverse("courses:dashboard")).content.decode()
    assert "有效学习时长 1.5 小时" in page
    assert "已认定 8 学时" in page
    assert 'class="certificate-link"' in page
    assert f'data-year="{timezone.localdate().year}"' in page
    ledger_page = client.get(reverse("courses:hours")).content.decode()
    assert course.title in ledger_page and 'id="study-hours-form"' in ledger_page
    assert timezone.localdate().isoformat() in ledger_page


def test_the_dashboard_shows_only_ones_own_figures(client, learner, other_learner, provider_a):
    course = build_course(provider_a, with_quiz=False)
    _study(other_learner, course, 36000)
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    page = client.get(reverse("courses:dashboard")).content.decode()
    assert "有效学习时长 0 分钟" in page and "10.0" not in page


def test_the_dashboard_shows_less_than_an_hour_in_minutes(client, learner, provider_a):
    """0.0 小时 would hide a few minutes really studied; under an hour the figure is in whole minutes (down)."""
    course = build_course(provider_a, with_quiz=False)
    services.enrolment_create(learner=learner, course=course)
    _study(learner, course, 150)
    client.force_login(learner)
    page = client.get(reverse("courses:dashboard")).content.decode()
    assert "有效学习时长 2 分钟" in page and "小时</p>" not in page


@pytest.mark.django_db
def test_the_ledger_page_needs_a_login(client):
    response = client.get(reverse("courses:hours"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_dashboard_query_count_does_not_grow_with_courses(client, learner, provider_a, django_assert_max_num_queries):
    for i in range(4):
        course = build_course(provider_a, title=f"课程{i}", code=f"C-{i}", with_quiz=False)
        enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
        services.hours_credit(enrolment=enrolment)
        _study(learner, course, 60 * (i + 1))
    UserFactory()
    client.force_login(learner)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("courses:dashboard")).status_code == 200
