"""Builders for the employer-report tests: employers, training managers, workers on the roster,
classes with assigned courses, and learning (lessons done, the study ledger, quiz attempts, credited
学时, certificates) written straight with the ORM."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from certificates.models import Certificate
from courses.models import AttemptStatus, CreditedHours, Enrolment, Lesson, LessonProgress, QuizAttempt, StudyDay
from organisations import services as organisation_services
from organisations.models import MembershipRole, OrganisationKind
from tests.factories import UserFactory
from training.models import ClassCourse, ClassMember, RosterEntry, TrainingClass

_numbers = itertools.count(1)


def employer(name: str, credit_code: str = ""):
    return organisation_services.organisation_create(kind=OrganisationKind.EMPLOYER, name=name, credit_code=credit_code)


def training_manager(organisation, username: str):
    user = UserFactory(username=username, real_name=username)
    organisation_services.membership_add(organisation=organisation, user=user, role=MembershipRole.TRAINING_MANAGER)
    return user


def worker(organisation, name: str, *, department="", job="", account=True, id_number="", username=None):
    """A roster entry; with an account (active) or only invited."""
    user = UserFactory(username=username or f"w{next(_numbers)}", real_name=name) if account else None
    return RosterEntry.objects.create(
        organisation=organisation,
        user=user,
        name=name,
        department=department,
        job=job,
        id_number=id_number,
        status="active" if account else "invited",
    )


def make_class(organisation, courses, *, name, deadline, starts_on=None, provider=None, entries=()):
    """A class with its courses assigned and its members enrolled (as assignment does)."""
    training_class = TrainingClass.objects.create(
        organisation=organisation,
        provider=provider,
        name=name,
        starts_on=starts_on or deadline - dt.timedelta(days=30),
        deadline=deadline,
        status="open",
    )
    for position, course in enumerate(courses):
        ClassCourse.objects.create(training_class=training_class, course=course, position=position)
    for entry in entries:
        add_member(training_class, entry)
    return training_class


def add_member(training_class, entry):
    ClassMember.objects.create(training_class=training_class, entry=entry)
    if entry.user_id:
        for class_course in training_class.class_courses.all():
            Enrolment.objects.get_or_create(learner_id=entry.user_id, course_id=class_course.course_id)


def learn(entry, course, *, lessons=0, seconds=0, day=None, complete=False, completed_at=None, hours=None):
    """`lessons` required lessons done, `seconds` of tracked study on `day` (spread over lessons done),
    and optionally the course completed with its 学时 credited."""
    enrolment, _created = Enrolment.objects.get_or_create(learner_id=entry.user_id, course=course)
    required = list(Lesson.objects.filter(course=course, is_required=True).order_by("sort_order", "pk"))
    for lesson in required[:lessons]:
        LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    if seconds:
        StudyDay.objects.create(
            learner_id=entry.user_id,
            course=course,
            lesson=required[0],
            day=day or timezone.localdate(),
            seconds=seconds,
        )
    if complete:
        enrolment.completed_at = completed_at or timezone.now()
        enrolment.save(update_fields=["completed_at"])
        CreditedHours.objects.create(
            enrolment=enrolment,
            learner_id=entry.user_id,
            course=course,
            hours=course.hours if hours is None else hours,
            effective_seconds=seconds,
            credited_at=enrolment.completed_at,
        )
    return enrolment


def attempt(enrolment, *, percent, passed, status=AttemptStatus.DONE):
    quiz = enrolment.course.final_quiz
    return QuizAttempt.objects.create(
        learner_id=enrolment.learner_id,
        quiz=quiz,
        enrolment=enrolment,
        percent=Decimal(percent),
        passed=passed,
        status=status,
        submitted_at=timezone.now(),
    )


def certificate(enrolment, *, number=None, issued_at=None, status="valid"):
    n = next(_numbers)
    return Certificate.objects.create(
        kind="completion",
        number=number or f"JY-2026-{n:06d}",
        code=f"code{n:012d}",
        holder_id=enrolment.learner_id,
        course_id=enrolment.course_id,
        enrolment=enrolment,
        issued_at=issued_at or timezone.now(),
        status=status,
        revoked_at=timezone.now() if status == "revoked" else None,
    )
