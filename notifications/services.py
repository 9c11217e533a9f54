"""Every write of notifications: `notify` (the one way to tell people something), reading, the
e-mail settings, and the messages of enterprise training (assignment to a class, its deadline).

Other apps call `notify` from after their own commit (`notify_on_commit`, `on_commit_safely`): a
notification that fails is logged and never undoes, or breaks, the write it reports.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_noop

from courses.messages import Message

from . import selectors, tasks
from .models import URL_MAX, Notification, NotificationKind, NotificationPreference, validate_site_path

log = logging.getLogger(__name__)
CHUNK = 500  # ids per query: far below SQLite's variable limit
DEADLINE_DAYS = 3  # the reminder goes out this many days before a class's deadline
COURSES_LISTED = 10  # course titles named in an assignment's body, then "等 N 门课程"


def _stored(text) -> str:
    """What a text column keeps: a Message as source text (JSON with msgid and parameters when it
    has any), a lazy translation as its source text, anything else as given."""
    if isinstance(text, Message):
        return text.as_text()
    if isinstance(text, Promise):
        with translation.override(None):
            return str(text)
    return str(text or "")


def _recipient_ids(recipients) -> list[int]:
    return sorted({r if isinstance(r, int) else r.pk for r in recipients})


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@transaction.atomic
def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: Message | str,
    body: Message | str = "",
    url: str = "",
    dedupe_key: str = "",
) -> int:
    """Tell people something: one in-site notification each (one bulk insert), then, after commit,
    one background task that e-mails those who have an address and have not turned the kind off.

    `recipients` are users or user ids. `title` and `body` are Messages (or source text), shown in
    the reader's language. `url` is a path on this site ("/learn/"), never another host. With a
    `dedupe_key`, a person who already has a notification of this kind and key is skipped, so a
    reminder run twice tells nobody twice. Returns how many notifications were created.
    """
    kind = NotificationKind(kind).value
    url = url or ""
    validate_site_path(url)
    if len(url) > URL_MAX:
        raise ValidationError("url too long")
    stored_title, stored_body = _stored(title), _stored(body)
    if not stored_title:
        raise ValidationError("a notification needs a title")
    ids = _recipient_ids(recipients)
    if dedupe_key:
        told = set()
        for chunk in _chunks(ids):
            told.update(
                Notification.objects.filter(kind=kind, dedupe_key=dedupe_key, recipient_id__in=chunk).values_list(
                    "recipient_id", flat=True
                )
            )
        ids = [pk for pk in ids if pk not in told]
    if not ids:
        return 0
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            title=stored_title,
            body=stored_body,
            url=url,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        for pk in ids
    ]
    created = [row.pk for row in Notification.objects.bulk_create(rows)]
    if None in created:  # a database that does not return the new ids
        created = list(
            Notification.objects.filter(kind=kind, created_at=now, recipient_id__in=ids).values_list("pk", flat=True)
        )
    transaction.on_commit(partial(tasks.send_emails.enqueue, created), robust=True)
    return len(created)


def on_commit_safely(func: Callable, /, *args, **kwargs) -> None:
    """Call `func(*args, **kwargs)` (something that notifies) once the current transaction commits.
    Whatever it raises is logged: the write that caused it stands."""

    def run():
        try:
            func(*args, **kwargs)
        except Exception:
            log.exception("通知未能发送（%s）", getattr(func, "__name__", func))

    transaction.on_commit(run)


def notify_on_commit(**kwargs) -> None:
    """`notify(**kwargs)` after the current transaction commits; a failure is logged, never raised."""
    on_commit_safely(notify, **kwargs)


# ------------------------------------------------------------------ the reader


@transaction.atomic
def notification_read(*, notification: Notification) -> Notification:
    """Mark one notification read (the caller has checked it is the reader's own)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notifications_read_all(*, user) -> int:
    """Mark every unread notification of the user read; how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user, email_kinds: Iterable[str]) -> None:
    """The kinds the user wants e-mailed; every other kind is turned off. Only "off" is stored."""
    wanted = {NotificationKind(kind).value for kind in email_kinds}
    off = [kind for kind in NotificationKind.values if kind not in wanted]
    NotificationPreference.objects.filter(user=user, kind__in=wanted).delete()
    for kind in off:
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": False})


# ------------------------------------------------------------------ enterprise training


def _dashboard_url() -> str:
    return reverse("courses:dashboard")


def notify_class_assigned(*, training_class, users: Iterable) -> int:
    """Tell workers they were put in a training class: its courses and deadline, once per class.
    From a service, after its commit: `on_commit_safely(notify_class_assigned, training_class=…, users=…)`."""
    titles = list(training_class.class_courses.order_by("position", "id").values_list("course__title", flat=True))
    listed = "、".join(f"《{title}》" for title in titles[:COURSES_LISTED])
    if len(titles) > COURSES_LISTED:
        courses = Message(gettext_noop("%(listed)s等 %(count)s 门课程"), listed=listed, count=len(titles))
    else:
        courses = listed or "—"
    return notify(
        recipients=users,
        kind=NotificationKind.CLASS_ASSIGNED,
        title=Message(gettext_noop("您已被分配到培训班「%(name)s」"), name=training_class.name),
        body=Message(
            gettext_noop("课程：%(courses)s。完成期限：%(deadline)s。"),
            courses=str(courses),
            deadline=training_class.deadline.isoformat(),
        ),
        url=_dashboard_url(),
        dedupe_key=f"class:{training_class.pk}",
    )


def deadline_reminders_send(*, today: dt.date | None = None) -> dict:
    """学习期限将至: tell every member of an open class whose deadline is one to DEADLINE_DAYS days
    away and who has not completed all its courses (a run missed is made up the next day), once per class and deadline (a moved deadline is
    told again). `today` is the date in Asia/Shanghai. Returns {"classes": n, "notified": m}."""
    today = today or timezone.localdate()
    classes = selectors.classes_due(today=today, days=DEADLINE_DAYS)
    notified = 0
    for training_class, course_count in classes:
        people = selectors.members_incomplete(training_class=training_class, course_count=course_count)
        if not people:
            continue
        days = (training_class.deadline - today).days
        notified += notify(
            recipients=people,
            kind=NotificationKind.DEADLINE_SOON,
            title=Message(gettext_noop("学习期限将至：培训班「%(name)s」"), name=training_class.name),
            body=Message(
                gettext_noop("完成期限是 %(deadline)s（还有 %(days)s 天），您还有课程没有学完，请抓紧学习。"),
                deadline=training_class.deadline.isoformat(),
                days=days,
            ),
            url=_dashboard_url(),
            dedupe_key=f"deadline:{training_class.pk}:{training_class.deadline.isoformat()}",
        )
    return {"date": today.isoformat(), "classes": len(classes), "notified": notified}
