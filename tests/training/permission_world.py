"""The 开班申请 part of the permission matrix's world (tests/test_permissions.py)."""

import datetime as dt

from django.utils import timezone

from training.models import ClassCourse, ClassMember, ClassStatus, RosterEntry, TrainingClass
from training.services import applications as application_services


def training_world(*, employer, provider, manager, organiser, owner, course) -> dict:
    """开班申请: a draft subsidised class, one whose application waits for review, and an open one with
    the owner as a member (their ids, by URL name)."""
    entry = RosterEntry.objects.create(organisation=employer, user=owner, name=owner.real_name, status="active")
    today = timezone.localdate()
    classes = {}
    for name in ("draft", "submitted", "open"):
        training_class = TrainingClass.objects.create(
            organisation=employer,
            provider=provider,
            name=f"权限检查班-{name}",
            starts_on=today + dt.timedelta(days=7),
            deadline=today + dt.timedelta(days=60),
            subsidised=True,
        )
        ClassCourse.objects.create(training_class=training_class, course=course)
        ClassMember.objects.create(training_class=training_class, entry=entry)
        classes[name] = training_class
    applications = {}
    for name in ("submitted", "open"):
        applications[name] = application_services.class_application_submit(
            by=manager,
            application=application_services.class_application_save(
                training_class=classes[name],
                by=manager,
                teaching_plan="计划",
                assessment_plan="考核",
                assessment_quiz=course.final_quiz,
                pass_mark=60,
                teachers=[application_services.Teacher("王老师")],
            ),
        )
    application_services.class_application_approve(application=applications["open"], by=organiser)
    TrainingClass.objects.filter(pk=classes["open"].pk).update(
        status=ClassStatus.OPEN, starts_on=today - dt.timedelta(days=1)
    )
    return {
        "training:application": classes["draft"].pk,
        "training:application_plan": classes["submitted"].pk,
        "training:class_record": classes["open"].pk,
        "training:class_record_issue": classes["open"].pk,
        "training:application_review": applications["submitted"].pk,
        "training:my_class": classes["open"].pk,
        "training:sign_in": classes["open"].pk,
    }
