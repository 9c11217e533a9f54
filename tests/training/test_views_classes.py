"""The class pages: create, find and assign courses, choose members (select all by filter), open;
providers with and without the organisation's grant; crafted requests across organisations."""

import datetime as dt

import pytest

from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from tests.training.conftest import entry, make_class
from training import services
from training.models import ClassCourse, ClassMember, TrainingClass

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"training:{name}", args=args)


def dates(days=30):
    today = timezone.localdate()
    return {"starts_on": today.isoformat(), "deadline": (today + dt.timedelta(days=days)).isoformat()}


def test_a_manager_creates_a_class_assigns_courses_and_members_and_opens_it(
    client, manager_a, employer_a, course, learner
):
    worker = entry(employer_a, "张三", phone="13800138000", user=learner, department="一部", job="电工")
    entry(employer_a, "李四", phone="13900139000", department="二部", job="电工")
    client.force_login(manager_a)
    response = client.post(url("class_create", employer_a.pk), {"name": "电工安全培训", "description": "", **dates()})
    training_class = TrainingClass.objects.get()
    assert response.status_code == 302 and training_class.provider is None and training_class.created_by == manager_a
    found = client.get(url("class_detail", training_class.pk), {"q": "工业互联网"}).content.decode()
    assert course.title in found
    assert client.post(url("class_course_add", training_class.pk), {"course": course.pk}).status_code == 302
    picker = client.get(url("class_members", training_class.pk), {"department": "一部"}).content.decode()
    assert "张三" in picker and "李四" not in picker
    client.post(url("class_members", training_class.pk), {"all": "1", "department": "一部"})
    assert list(ClassMember.objects.values_list("entry_id", flat=True)) == [worker.pk]
    assert client.post(url("class_open", training_class.pk)).status_code == 302
    training_class.refresh_from_db()
    assert training_class.status == "open"
    assert Enrolment.objects.filter(learner=learner, course=course).exists()


def test_ticked_members_are_added_and_others_ignored(client, manager_a, employer_a, employer_b):
    mine = entry(employer_a, "张三", phone="13800138000")
    other = entry(employer_a, "李四", phone="13900139000")
    foreign = entry(employer_b, "外单位", phone="13700137000")
    training_class = make_class(employer_a, manager_a)
    client.force_login(manager_a)
    client.post(url("class_members", training_class.pk), {"entries": [mine.pk, foreign.pk, "x"]})
    assert list(training_class.members.values_list("entry_id", flat=True)) == [mine.pk]
    assert other.pk not in training_class.members.values_list("entry_id", flat=True)


def test_a_bad_class_form_is_a_400(client, manager_a, employer_a):
    client.force_login(manager_a)
    response = client.post(url("class_create", employer_a.pk), {"name": "班", **dates(days=-3)})
    assert response.status_code == 400 and "完成期限不能早于开班日期" in response.content.decode()
    assert not TrainingClass.objects.exists()


def test_editing_a_class(client, manager_a, employer_a):
    training_class = make_class(employer_a, manager_a)
    client.force_login(manager_a)
    response = client.post(url("class_edit", training_class.pk), {"name": "新名称", "description": "说明", **dates(10)})
    assert response.status_code == 302
    training_class.refresh_from_db()
    assert training_class.name == "新名称" and training_class.deadline == timezone.localdate() + dt.timedelta(days=10)


def test_removing_a_course_or_a_member_keeps_the_enrolments(client, manager_a, employer_a, course, learner):
    worker = entry(employer_a, "张三", phone="13800138000", user=learner)
    training_class = make_class(employer_a, manager_a, courses=[course])
    services.class_members_add(training_class=training_class, entries=[worker], by=manager_a)
    services.training_class_open(training_class=training_class, by=manager_a)
    client.force_login(manager_a)
    member = training_class.members.get()
    class_course = training_class.class_courses.get()
    assert client.post(url("class_member_remove", training_class.pk, member.pk)).status_code == 302
    assert client.post(url("class_course_remove", training_class.pk, class_course.pk)).status_code == 302
    assert not ClassMember.objects.exists() and not ClassCourse.objects.exists()
    assert Enrolment.objects.filter(learner=learner, course=course).exists()


# ------------------------------------------------------------------ providers


def test_a_provider_with_the_grant_runs_a_class_and_sees_the_roster_masked(
    client, staff_a, employer_a, provider_a, granted, course
):
    entry(employer_a, "张三", phone="13812345678", number="320505199001010011", department="一部")
    client.force_login(staff_a)
    assert client.get(url("classes", employer_a.pk)).status_code == 200
    response = client.post(
        url("class_create", employer_a.pk), {"name": "承办班", "provider": granted.provider_id, **dates()}
    )
    assert response.status_code == 302
    training_class = TrainingClass.objects.get()
    assert training_class.provider == provider_a
    picker = client.get(url("class_members", training_class.pk)).content.decode()
    assert "张三" in picker and "138****5678" in picker and "13812345678" not in picker
    assert "320505199001010011" not in picker


def test_the_manager_picks_members_by_masked_phone_numbers_too(client, manager_a, employer_a):
    entry(employer_a, "张三", phone="13812345678", number="320505199001010011")
    training_class = make_class(employer_a, manager_a)
    client.force_login(manager_a)
    picker = client.get(url("class_members", training_class.pk)).content.decode()
    assert "张三" in picker and "138****5678" in picker
    assert "13812345678" not in picker and "320505199001010011" not in picker


def test_a_provider_class_needs_its_provider(client, staff_a, employer_a, granted):
    client.force_login(staff_a)
    response = client.post(url("class_create", employer_a.pk), {"name": "承办班", "provider": "", **dates()})
    assert response.status_code == 400 and not TrainingClass.objects.exists()


def test_a_provider_without_the_grant_gets_404(client, staff_a, employer_a, manager_a, provider_a):
    training_class = make_class(employer_a, manager_a)
    client.force_login(staff_a)
    assert client.get(url("classes", employer_a.pk)).status_code == 404
    assert client.get(url("class_create", employer_a.pk)).status_code == 404
    assert (
        client.post(
            url("class_create", employer_a.pk), {"name": "偷建", "provider": provider_a.pk, **dates()}
        ).status_code
        == 404
    )
    assert client.get(url("class_detail", training_class.pk)).status_code == 404
    assert client.post(url("class_open", training_class.pk)).status_code == 404
    assert TrainingClass.objects.count() == 1


def test_a_provider_manages_only_the_classes_it_runs(client, staff_a, staff_b, employer_a, manager_a, granted, course):
    own = make_class(employer_a, manager_a, name="机构承办", provider=granted.provider)
    theirs = make_class(employer_a, manager_a, name="单位自办", courses=[course])
    client.force_login(staff_a)
    listing = client.get(url("classes", employer_a.pk)).content.decode()
    assert "机构承办" in listing and "单位自办" not in listing
    assert client.get(url("class_detail", own.pk)).status_code == 200
    assert client.get(url("class_detail", theirs.pk)).status_code == 404
    assert client.post(url("class_open", theirs.pk)).status_code == 404
    client.force_login(staff_b)
    assert client.get(url("class_detail", own.pk)).status_code == 404


def test_after_the_grant_is_withdrawn_the_provider_keeps_its_class_but_not_the_roster(
    client, staff_a, employer_a, manager_a, granted
):
    own = make_class(employer_a, manager_a, name="机构承办", provider=granted.provider)
    worker = entry(employer_a, "张三", phone="13800138000")
    services.training_partner_withdraw(partner=granted, by=manager_a)
    client.force_login(staff_a)
    assert client.get(url("class_detail", own.pk)).status_code == 200
    assert client.get(url("class_members", own.pk)).status_code == 404
    assert client.post(url("class_members", own.pk), {"entries": [worker.pk]}).status_code == 404
    assert client.get(url("class_create", employer_a.pk)).status_code == 404
    assert not ClassMember.objects.exists()


# ------------------------------------------------------------------ crafted requests


def test_a_manager_of_b_gets_404_on_a_class_of_a(client, manager_a, manager_b, employer_a, employer_b, course):
    worker_a = entry(employer_a, "张三", phone="13800138000")
    worker_b = entry(employer_b, "李四", phone="13900139000")
    training_class = make_class(employer_a, manager_a, courses=[course])
    services.class_members_add(training_class=training_class, entries=[worker_a], by=manager_a)
    member = training_class.members.get()
    class_course = training_class.class_courses.get()
    client.force_login(manager_b)
    for name in ("class_detail", "class_edit", "class_members"):
        assert client.get(url(name, training_class.pk)).status_code == 404, name
    assert client.get(url("classes", employer_a.pk)).status_code == 404
    for path, data in [
        (url("class_create", employer_a.pk), {"name": "入侵", **dates()}),
        (url("class_edit", training_class.pk), {"name": "改名", **dates()}),
        (url("class_open", training_class.pk), {}),
        (url("class_course_add", training_class.pk), {"course": course.pk}),
        (url("class_course_remove", training_class.pk, class_course.pk), {}),
        (url("class_members", training_class.pk), {"entries": [worker_b.pk]}),
        (url("class_member_remove", training_class.pk, member.pk), {}),
    ]:
        assert client.post(path, data).status_code == 404, path
    training_class.refresh_from_db()
    assert training_class.name == "2026年安全生产培训" and training_class.status == "draft"
    assert TrainingClass.objects.count() == 1 and training_class.members.count() == 1


def test_b_workers_cannot_be_put_in_a_class_of_b_through_a_class_of_a(
    client, manager_b, employer_a, employer_b, manager_a
):
    """A member id or course id of another class in the path of one's own class is a 404."""
    class_a = make_class(employer_a, manager_a, name="A班")
    worker_a = entry(employer_a, "张三", phone="13800138000")
    services.class_members_add(training_class=class_a, entries=[worker_a], by=manager_a)
    class_b = make_class(employer_b, manager_b, name="B班")
    client.force_login(manager_b)
    member_a = class_a.members.get()
    assert client.post(url("class_member_remove", class_b.pk, member_a.pk)).status_code == 404
    client.post(url("class_members", class_b.pk), {"entries": [worker_a.pk]})
    assert not class_b.members.exists() and class_a.members.exists()


@pytest.mark.parametrize("query", ["?q=%00", "?department=%00x", "?job=a%00", "?q=" + "长" * 500])
def test_crafted_filters_on_the_console_pages_filter_nothing_and_never_fail(client, manager_a, employer_a, query):
    """A NUL character in a filter is dropped (PostgreSQL refuses it in a parameter), a long one cut."""
    entry(employer_a, name="王小明", phone="13800138000")
    training_class = make_class(employer_a, manager_a)
    client.force_login(manager_a)
    for name, args in (
        ("roster", [employer_a.pk]),
        ("class_detail", [training_class.pk]),
        ("class_members", [training_class.pk]),
    ):
        assert client.get(url(name, *args) + query).status_code == 200, name
