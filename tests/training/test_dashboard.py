"""我的学习 lists the courses a class assigned first, with the class, who assigned it and the
deadline (overdue in red); and the header shows 企业培训 to those the console is for."""

import datetime as dt

import pytest

from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.selectors import dashboard_rows
from tests.conftest import build_course
from tests.training.conftest import entry, make_class
from training import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(employer_a, manager_a, provider_a, learner, granted):
    """The learner chose one course alone, then employer A's class (run by provider A) assigned two."""
    own = build_course(provider_a, title="自选课程", code="OWN-1", with_quiz=False)
    course_services.enrolment_create(learner=learner, course=own)
    first = build_course(provider_a, title="班级课程甲", code="CLS-1", with_quiz=False)
    second = build_course(provider_a, title="班级课程乙", code="CLS-2", with_quiz=False)
    worker = entry(employer_a, "张三", phone="13800138000", user=learner)
    late = make_class(employer_a, manager_a, name="去年的班", courses=[second], provider=provider_a)
    soon = make_class(employer_a, manager_a, name="电工安全培训", courses=[first], days=10)
    for training_class in (late, soon):
        services.class_members_add(training_class=training_class, entries=[worker], by=manager_a)
        services.training_class_open(training_class=training_class, by=manager_a)
    # The first class's deadline has passed since it opened.
    type(late).objects.filter(pk=late.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=60), deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    return {"own": own, "first": first, "second": second}


def test_assigned_courses_come_first_by_deadline_with_class_and_assigner(learner, assigned, employer_a, provider_a):
    rows = dashboard_rows(learner)
    assert [r["course"].code for r in rows] == ["CLS-2", "CLS-1", "OWN-1"]
    overdue, current, own = (r["assignment"] for r in rows)
    assert overdue["title"] == "去年的班" and overdue["overdue"]
    assert overdue["by"] == f"{employer_a.display_name} · {provider_a.name}"
    assert current["title"] == "电工安全培训" and not current["overdue"] and current["by"] == employer_a.display_name
    assert own is None


def test_the_dashboard_page_shows_the_assignment_and_marks_the_overdue_deadline(client, learner, assigned):
    client.force_login(learner)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert html.index("班级课程乙") < html.index("班级课程甲") < html.index("自选课程")
    assert "去年的班" in html and "电工安全培训" in html
    assert 'class="overdue"' in html and "已逾期" in html


def test_a_worker_who_left_or_a_draft_class_assigns_nothing(learner, employer_a, manager_a, course):
    worker = entry(employer_a, "张三", phone="13800138000", user=learner)
    draft = make_class(employer_a, manager_a, courses=[course])
    services.class_members_add(training_class=draft, entries=[worker], by=manager_a)
    course_services.enrolment_create(learner=learner, course=course)
    assert dashboard_rows(learner)[0]["assignment"] is None
    services.training_class_open(training_class=draft, by=manager_a)
    assert dashboard_rows(learner)[0]["assignment"]["title"] == draft.name
    services.roster_entry_leave(entry=worker, by=manager_a)
    assert dashboard_rows(learner)[0]["assignment"] is None


def test_the_dashboard_reads_assignments_in_one_query_whatever_their_number(
    client, learner, assigned, django_assert_max_num_queries
):
    client.force_login(learner)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("courses:dashboard")).status_code == 200


def test_the_header_link_shows_for_managers_provider_staff_and_organisers_only(
    client, manager_a, staff_a, organiser, learner
):
    link = f'href="{reverse("training:index")}"'
    for user, shown in ((manager_a, True), (staff_a, True), (organiser, True), (learner, False)):
        client.force_login(user)
        assert (link in client.get(reverse("courses:dashboard")).content.decode()) is shown, user.username
    client.logout()
    assert link not in client.get(reverse("accounts:login")).content.decode()
