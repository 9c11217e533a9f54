"""Training classes: create (a provider only with the organisation's grant), open, enrolment on
assignment (members, courses, acceptance later), fast for a whole workshop, and partners."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Enrolment
from tests.conftest import build_course
from tests.factories import UserFactory
from tests.training.conftest import entry, make_class
from training import services
from training.models import ClassMember, TrainingPartner

pytestmark = pytest.mark.django_db


def enrolled(user) -> set[int]:
    return set(Enrolment.objects.filter(learner=user).values_list("course_id", flat=True))


def test_a_class_starts_as_a_draft_and_opening_enrols_members_with_an_account(
    employer_a, manager_a, course, course_two, learner
):
    worker = entry(employer_a, "张三", phone="13800138000", user=learner)
    waiting = entry(employer_a, "李四", phone="13900139000")
    training_class = make_class(employer_a, manager_a, courses=[course, course_two])
    assert training_class.status == "draft"
    assert services.class_members_add(training_class=training_class, entries=[worker, waiting], by=manager_a) == 2
    assert enrolled(learner) == set()  # a draft enrols nobody
    services.training_class_open(training_class=training_class, by=manager_a)
    training_class.refresh_from_db()
    assert training_class.status == "open"
    assert enrolled(learner) == {course.pk, course_two.pk}
    assert Enrolment.objects.count() == 2  # the invited worker waits for the acceptance


def test_a_class_opens_once_and_needs_a_course_and_a_deadline_ahead(employer_a, manager_a, course):
    empty = make_class(employer_a, manager_a, name="空班")
    with pytest.raises(ValidationError, match="请先为培训班选择课程"):
        services.training_class_open(training_class=empty, by=manager_a)
    past = make_class(
        employer_a, manager_a, name="过期班", courses=[course], start=timezone.localdate() - dt.timedelta(days=40)
    )
    with pytest.raises(ValidationError, match="完成期限已过"):
        services.training_class_open(training_class=past, by=manager_a)
    ready = make_class(employer_a, manager_a, name="正常班", courses=[course])
    services.training_class_open(training_class=ready, by=manager_a)
    with pytest.raises(ValidationError, match="不能开班"):
        services.training_class_open(training_class=ready, by=manager_a)


def test_members_and_courses_added_to_an_open_class_are_enrolled(employer_a, manager_a, course, course_two, learner):
    training_class = make_class(employer_a, manager_a, courses=[course])
    services.training_class_open(training_class=training_class, by=manager_a)
    worker = entry(employer_a, "张三", phone="13800138000", user=learner)
    services.class_members_add(training_class=training_class, entries=[worker], by=manager_a)
    assert enrolled(learner) == {course.pk}
    services.class_course_add(training_class=training_class, course=course_two, by=manager_a)
    assert enrolled(learner) == {course.pk, course_two.pk}


def test_enrolment_keeps_an_existing_enrolment(employer_a, manager_a, course, learner):
    from courses import services as course_services

    mine = course_services.enrolment_create(learner=learner, course=course)
    mine.completed_at = timezone.now()
    mine.save()
    training_class = make_class(employer_a, manager_a, courses=[course])
    services.class_members_add(
        training_class=training_class,
        entries=[entry(employer_a, "张三", phone="13800138000", user=learner)],
        by=manager_a,
    )
    services.training_class_open(training_class=training_class, by=manager_a)
    assert Enrolment.objects.get(learner=learner).completed_at == mine.completed_at


def test_only_published_courses_may_be_assigned(employer_a, manager_a, provider_a):
    draft = build_course(provider_a, title="草稿课", code="DRAFT-1", publish=False, with_quiz=False)
    training_class = make_class(employer_a, manager_a)
    with pytest.raises(ValidationError, match="已发布"):
        services.class_course_add(training_class=training_class, course=draft, by=manager_a)


def test_workers_of_another_organisation_or_who_left_are_never_added(employer_a, employer_b, manager_a):
    training_class = make_class(employer_a, manager_a)
    foreign = entry(employer_b, "外单位", phone="13800138000")
    gone = entry(employer_a, "已离开", phone="13900139000", status="left")
    mine = entry(employer_a, "本单位", phone="13700137000")
    added = services.class_members_add(training_class=training_class, entries=[foreign, gone, mine], by=manager_a)
    assert added == 1
    assert list(ClassMember.objects.values_list("entry_id", flat=True)) == [mine.pk]
    assert services.class_members_add(training_class=training_class, entries=[mine], by=manager_a) == 0


def test_a_workshop_of_200_workers_and_10_courses_is_enrolled_in_a_few_queries(
    employer_a, manager_a, provider_a, django_assert_max_num_queries
):
    courses = [build_course(provider_a, title=f"课程{i}", code=f"C-{i}", lessons=1, with_quiz=False) for i in range(10)]
    users = UserFactory.create_batch(200)
    entries = [entry(employer_a, f"职工{i}", phone=f"138{i:08d}", user=user) for i, user in enumerate(users)]
    training_class = make_class(employer_a, manager_a, courses=courses)
    services.class_members_add(training_class=training_class, entries=entries, by=manager_a)
    # SQLite takes at most 999 variables a statement (about 200 enrolments an insert): 10 inserts here,
    # 2 on PostgreSQL. Never one per worker or per course.
    with django_assert_max_num_queries(25):
        services.training_class_open(training_class=training_class, by=manager_a)
    assert Enrolment.objects.count() == 2000


def test_a_class_name_is_unique_in_its_organisation(employer_a, employer_b, manager_a, manager_b):
    make_class(employer_a, manager_a, name="电工班")
    with pytest.raises(ValidationError, match="同名"):
        make_class(employer_a, manager_a, name="电工班")
    make_class(employer_b, manager_b, name="电工班")


def test_the_deadline_may_not_precede_the_start(employer_a, manager_a):
    with pytest.raises(ValidationError, match="完成期限不能早于开班日期"):
        make_class(employer_a, manager_a, days=-1)


def test_a_provider_runs_a_class_only_with_the_organisations_grant(employer_a, manager_a, provider_a, staff_a):
    with pytest.raises(ValidationError, match="没有获得本单位的授权"):
        make_class(employer_a, staff_a, provider=provider_a)
    grant = services.training_partner_grant(organisation=employer_a, provider=provider_a, by=manager_a)
    assert make_class(employer_a, staff_a, provider=provider_a).provider == provider_a
    with pytest.raises(ValidationError, match="已经授权"):
        services.training_partner_grant(organisation=employer_a, provider=provider_a, by=manager_a)
    services.training_partner_withdraw(partner=grant, by=manager_a)
    with pytest.raises(ValidationError, match="没有获得本单位的授权"):
        make_class(employer_a, staff_a, provider=provider_a, name="另一个班")
    again = services.training_partner_grant(organisation=employer_a, provider=provider_a, by=manager_a)
    assert TrainingPartner.objects.filter(organisation=employer_a).count() == 2 and again.is_current


def test_a_closed_class_cannot_change(employer_a, manager_a, course):
    training_class = make_class(employer_a, manager_a, courses=[course])
    training_class.status = "closed"
    training_class.save()
    with pytest.raises(ValidationError, match="不能修改"):
        services.class_members_add(training_class=training_class, entries=[], by=manager_a)
