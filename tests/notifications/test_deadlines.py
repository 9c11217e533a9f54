"""学习期限将至: once per class and deadline, only to members of open classes who have not completed
its courses; the assignment notice names the courses and the deadline."""

import datetime as dt
import json

import pytest

from django.core.management import call_command

from notifications import services
from notifications.models import Notification, NotificationKind
from tests.factories import UserFactory
from training.models import ClassStatus, RosterStatus

from .conftest import TODAY, add_member, make_class

pytestmark = pytest.mark.django_db


def _reminded() -> list[str]:
    rows = Notification.objects.filter(kind=NotificationKind.DEADLINE_SOON)
    return sorted(rows.values_list("recipient__username", flat=True))


def test_only_incomplete_members_of_open_classes_due_soon_are_reminded_once(employer, two_courses):
    first, second = two_courses
    due = make_class(employer, two_courses)
    add_member(due, UserFactory(username="done"), completed=two_courses)
    add_member(due, UserFactory(username="half"), completed=[first])
    add_member(due, UserFactory(username="none"))
    add_member(due, UserFactory(username="left"), status=RosterStatus.LEFT)
    draft = make_class(employer, two_courses, name="筹备中的班", status=ClassStatus.DRAFT)
    add_member(draft, UserFactory(username="in_draft"))
    later = make_class(employer, two_courses, name="下月的班", deadline=TODAY + dt.timedelta(days=10))
    add_member(later, UserFactory(username="in_later"))
    past = make_class(employer, two_courses, name="已过期的班", deadline=TODAY)
    add_member(past, UserFactory(username="in_past"))

    result = services.deadline_reminders_send(today=TODAY)

    assert result == {"date": "2026-06-01", "classes": 1, "notified": 2}
    assert _reminded() == ["half", "none"]
    notification = Notification.objects.filter(kind=NotificationKind.DEADLINE_SOON).first()
    assert due.name in notification.title_text and "2026-06-04" in notification.body_text
    assert notification.url == "/learn/"
    # the next run, the same day or the next, tells nobody twice
    assert services.deadline_reminders_send(today=TODAY)["notified"] == 0
    assert services.deadline_reminders_send(today=TODAY + dt.timedelta(days=1))["notified"] == 0
    assert _reminded() == ["half", "none"]


def test_a_moved_deadline_is_told_again(employer, two_courses):
    training_class = make_class(employer, two_courses)
    add_member(training_class, UserFactory(username="worker"))
    services.deadline_reminders_send(today=TODAY)
    training_class.deadline = TODAY + dt.timedelta(days=2)
    training_class.save()
    services.deadline_reminders_send(today=TODAY)
    assert _reminded() == ["worker", "worker"]


def test_the_command_runs_as_of_a_date_and_says_what_it_did(employer, two_courses, capsys):
    add_member(make_class(employer, two_courses), UserFactory(username="worker"))
    call_command("notify_deadlines", "--date", "2026-06-01")
    assert json.loads(capsys.readouterr().out) == {"date": "2026-06-01", "classes": 1, "notified": 1}
    call_command("notify_deadlines", "--date", "2026-06-01")
    assert json.loads(capsys.readouterr().out)["notified"] == 0


def test_the_assignment_notice_names_the_courses_and_the_deadline(employer, two_courses):
    training_class = make_class(employer, two_courses)
    worker = add_member(training_class, UserFactory(username="worker"))
    assert services.notify_class_assigned(training_class=training_class, users=[worker]) == 1
    notification = Notification.objects.get(kind=NotificationKind.CLASS_ASSIGNED)
    assert notification.title_text == f"您已被分配到培训班「{training_class.name}」"
    assert (
        "《工业互联网平台应用》、《工业数据采集》" in notification.body_text and "2026-06-04" in notification.body_text
    )
    assert notification.url == "/learn/"
    assert services.notify_class_assigned(training_class=training_class, users=[worker]) == 0  # once per class
