"""Builders for the 开班申请, sign-in, class record and 培训合格证书 tests: a subsidised class of employer A
run by provider A, with two workers enrolled on two courses. Tests build their own data."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.idcard import check_digit
from courses import services as course_services
from courses.models import AttemptStatus, Enrolment, QuizAttempt
from tests.factories import UserFactory
from training.models import ClassCourse, ClassMember, ClassStatus, RosterEntry, RosterStatus, TrainingClass
from training.services import applications as services


def id_number(serial: int) -> str:
    first = f"32050519900101{serial:03d}"
    return first + check_digit(first)


def worker(organisation, username: str, real_name: str, serial: int):
    user = UserFactory(username=username, real_name=real_name)
    entry = RosterEntry.objects.create(
        organisation=organisation,
        user=user,
        name=real_name,
        id_number=id_number(serial),
        department="装配车间",
        job="装配钳工",
        status=RosterStatus.ACTIVE,
    )
    return user, entry


def make_class(
    *, organisation, provider=None, courses, entries, name="2026年智能制造技能提升培训班", subsidised=True, starts_in=7
) -> TrainingClass:
    today = timezone.localdate()
    training_class = TrainingClass.objects.create(
        organisation=organisation,
        provider=provider,
        name=name,
        starts_on=today + dt.timedelta(days=starts_in),
        deadline=today + dt.timedelta(days=starts_in + 60),
        subsidised=subsidised,
    )
    for position, course in enumerate(courses):
        ClassCourse.objects.create(training_class=training_class, course=course, position=position)
    for entry in entries:
        ClassMember.objects.create(training_class=training_class, entry=entry)
        for course in courses:
            course_services.enrolment_create(learner=entry.user, course=course)
    return training_class


def fill(training_class, by, *, quiz=None, pass_mark=60):
    quiz = quiz or training_class.class_courses.first().course.final_quiz
    return services.class_application_save(
        training_class=training_class,
        by=by,
        teaching_plan="第一周：平台概述；第二周：安全实践。",
        assessment_plan="在线结业考核，成绩达到合格分数线为合格。",
        assessment_quiz=quiz,
        pass_mark=pass_mark,
        teachers=[services.Teacher("王老师", "高级工程师", "职业技能等级证书（一级）")],
    )


def approve(training_class, *, by, organiser, pass_mark=60):
    application = fill(training_class, by, pass_mark=pass_mark)
    application = services.class_application_submit(application=application, by=by)
    return services.class_application_approve(application=application, by=organiser)


def open_now(training_class, *, days_ago=10):
    """What training_class_open does once class_may_open allows it: the class began `days_ago` days ago."""
    ok, why = services.class_may_open(training_class)
    assert ok, why
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    TrainingClass.objects.filter(pk=training_class.pk).update(starts_on=start, status=ClassStatus.OPEN)
    training_class.refresh_from_db()
    return training_class


def complete_course(user, course, *, when=None):
    Enrolment.objects.filter(learner=user, course=course).update(completed_at=when or timezone.now())


def attempt(user, quiz, percent, *, when=None, status=AttemptStatus.DONE):
    enrolment = Enrolment.objects.get(learner=user, course=quiz.course)
    return QuizAttempt.objects.create(
        learner=user,
        quiz=quiz,
        enrolment=enrolment,
        score=Decimal(percent),
        max_score=Decimal(100),
        percent=Decimal(percent),
        passed=percent >= 60,
        status=status,
        submitted_at=when or timezone.now(),
    )


def two_workers(organisation):
    return [worker(organisation, "worker1", "王芳", 1), worker(organisation, "worker2", "刘强", 2)]


def subsidised(employer, provider, courses, workers):
    return make_class(organisation=employer, provider=provider, courses=courses, entries=[e for _u, e in workers])
