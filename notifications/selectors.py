"""Reads of notifications: the bell's count, the centre's page, the e-mail settings, and who is due
a deadline reminder."""

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, IntegerField
from django.db.models.expressions import RawSQL

from courses.models import Enrolment
from training.models import ClassMember, ClassStatus, RosterStatus, TrainingClass

from .models import Notification, NotificationKind, NotificationPreference

PAGE_SIZE = 20


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_count_column(user_model) -> RawSQL:
    """The same count as a column of the signed-in user's own query (accounts.backends), so the bell
    costs no query of its own; plain SQL, as the ORM's subquery costs more to build than a query."""
    quote, meta = connection.ops.quote_name, Notification._meta
    table = quote(meta.db_table)
    recipient, read_at = (quote(meta.get_field(name).column) for name in ("recipient", "read_at"))
    user = f"{quote(user_model._meta.db_table)}.{quote(user_model._meta.pk.column)}"
    return RawSQL(  # noqa: S611 - only names from the models' metadata go into the SQL
        f"(SELECT COUNT(*) FROM {table} WHERE {table}.{recipient} = {user} AND {table}.{read_at} IS NULL)",  # noqa: S608
        (),
        output_field=IntegerField(),
    )


def notifications_page(*, user, number) -> Page:
    """One page of the user's notifications, newest first."""
    notifications = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    return Paginator(notifications, PAGE_SIZE).get_page(number)


def email_settings(user) -> dict[str, bool]:
    """Kind → e-mail on? for every kind (on unless the user turned it off)."""
    off = set(NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in NotificationKind.values}


def classes_due(*, today: dt.date, days: int) -> list[tuple[TrainingClass, int]]:
    """Open classes whose deadline is 1 to `days` days after `today`, with their number of courses."""
    return [
        (c, c.course_count)
        for c in TrainingClass.objects.filter(
            status=ClassStatus.OPEN, deadline__gt=today, deadline__lte=today + dt.timedelta(days=days)
        )
        .annotate(course_count=Count("class_courses"))
        .filter(course_count__gt=0)
        .order_by("deadline", "pk")
    ]


def members_incomplete(*, training_class: TrainingClass, course_count: int) -> list[int]:
    """User ids of the class's current members (on the roster, with an account) who have not
    completed every course of the class."""
    members = set(
        ClassMember.objects.filter(
            training_class=training_class, entry__user__isnull=False, entry__status=RosterStatus.ACTIVE
        ).values_list("entry__user_id", flat=True)
    )
    if not members:
        return []
    done = set(
        Enrolment.objects.filter(
            learner__in=members,
            course__class_assignments__training_class=training_class,
            completed_at__isnull=False,
        )
        .values("learner")
        .annotate(n=Count("course", distinct=True))
        .filter(n__gte=course_count)
        .values_list("learner", flat=True)
    )
    return sorted(members - done)
