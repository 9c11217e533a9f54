"""学员学时 report: provider staff see their own courses' learners only (page and export); organisers
all; real names shown, ID and mobile numbers masked; exported cells never run as formulas."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Enrolment, StudyDay
from tests.factories import UserFactory


@pytest.fixture
def studied(course, learner):
    learner.id_number, learner.phone, learner.real_name = "11010519491231002X", "13812345678", "张三"
    learner.save()
    course.hours = Decimal("6")
    course.save()
    lessons = list(course.lessons.order_by("sort_order"))
    StudyDay.objects.create(learner=learner, course=course, lesson=lessons[0], day=timezone.localdate(), seconds=3600)
    StudyDay.objects.create(learner=learner, course=course, lesson=lessons[1], day=timezone.localdate(), seconds=1800)
    enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    services.hours_credit(enrolment=enrolment)
    formula = UserFactory(username="formula", real_name='=HYPERLINK("http://evil","x")')
    Enrolment.objects.create(learner=formula, course=course)
    return enrolment


def _learners(course):
    return reverse("course_stats:learners", args=[course.pk])


def test_staff_see_their_learners_with_effective_time_and_credits_masked(client, staff_a, course, studied):
    client.force_login(staff_a)
    page = client.get(_learners(course))
    assert page.status_code == 200
    body = page.content.decode()
    assert "张三" in body and "1.5" in body and "6.0" in body
    assert "110105********002X" in body and "138****5678" in body
    assert "11010519491231002X" not in body and "13812345678" not in body
    drill = client.get(reverse("course_stats:enrolment", args=[course.pk, studied.pk])).content.decode()
    assert "课时1" in drill and "1.0" in drill and "0.5" in drill


def test_the_export_is_scoped_masked_and_neutralised(client, staff_a, course, studied):
    client.force_login(staff_a)
    response = client.get(_learners(course) + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "张三" in cells and "110105********002X" in cells and "1.5" in cells
    assert "11010519491231002X" not in cells
    assert not any(cell.startswith("=") for cell in cells)
    assert '\'=HYPERLINK("http://evil","x")' in cells
    csv = client.get(_learners(course) + "?export=csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "张三" in text and "\n=" not in text and ",=" not in text


def test_staff_of_another_provider_cannot_see_the_learners(client, staff_b, course, studied):
    client.force_login(staff_b)
    assert client.get(_learners(course)).status_code == 404
    assert client.get(_learners(course) + "?export=xlsx").status_code == 404
    assert client.get(reverse("course_stats:enrolment", args=[course.pk, studied.pk])).status_code == 404


def test_an_enrolment_of_another_course_is_not_found_through_ones_own(
    client, staff_a, staff_b, course, course_b, studied
):
    other = Enrolment.objects.create(learner=UserFactory(), course=course_b)
    client.force_login(staff_a)
    assert client.get(reverse("course_stats:enrolment", args=[course.pk, other.pk])).status_code == 404
    client.force_login(staff_b)
    assert client.get(reverse("course_stats:enrolment", args=[course_b.pk, studied.pk])).status_code == 404


def test_organisers_see_every_course(client, organiser, course, course_b, studied):
    client.force_login(organiser)
    assert client.get(_learners(course)).status_code == 200
    assert client.get(_learners(course_b)).status_code == 200


def test_learners_are_refused(client, learner, course, studied):
    client.force_login(learner)
    response = client.get(_learners(course))
    assert response.status_code in (302, 403)
    assert "张三" not in response.content.decode()
