"""A training class to remind and notify: an employer, its roster, a class with courses and members."""

import datetime as dt

import pytest

from courses.models import Enrolment
from organisations import creditcode
from organisations import services as organisation_services
from organisations.models import OrganisationKind
from tests.conftest import build_course
from tests.factories import UserFactory
from training.models import ClassCourse, ClassMember, ClassStatus, RosterEntry, RosterStatus, TrainingClass

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def employer(db):
    return organisation_services.organisation_create(
        kind=OrganisationKind.EMPLOYER,
        name="苏州精工智能装备有限公司",
        credit_code=creditcode.complete("91320505MA1N7K2Q3"),
    )


@pytest.fixture
def two_courses(provider_a):
    return [
        build_course(provider_a, title="工业互联网平台应用", code="IIOT-101", with_quiz=False),
        build_course(provider_a, title="工业数据采集", code="IIOT-102", with_quiz=False),
    ]


def make_class(
    employer, courses, *, name="2026年第一期数字技能班", deadline=TODAY + dt.timedelta(days=3), status=ClassStatus.OPEN
):
    training_class = TrainingClass.objects.create(
        organisation=employer, name=name, starts_on=TODAY - dt.timedelta(days=30), deadline=deadline, status=status
    )
    for position, course in enumerate(courses):
        ClassCourse.objects.create(training_class=training_class, course=course, position=position)
    return training_class


def add_member(training_class, user=None, *, status=RosterStatus.ACTIVE, completed=()):
    """A worker on the class's roster and in the class, enrolled in its courses, `completed` done."""
    user = user or UserFactory()
    entry, _created = RosterEntry.objects.get_or_create(
        organisation=training_class.organisation,
        user=user,
        defaults={"name": user.real_name, "status": status},
    )
    ClassMember.objects.create(training_class=training_class, entry=entry)
    for class_course in training_class.class_courses.all():
        done = class_course.course in completed
        Enrolment.objects.get_or_create(
            learner=user,
            course=class_course.course,
            defaults={"completed_at": dt.datetime.now(dt.UTC) if done else None},
        )
    return user
