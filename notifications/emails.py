"""The e-mail of a notification: to people who have an address and have not turned its kind off,
over one connection, each notification marked `emailed_at` once its message is handed over.

The text is the notification's, rendered in the site's language (LANGUAGE_CODE): a person's
language is a cookie of their browser, not something the account stores. In development the
console backend prints the messages (EMAIL_BACKEND); production sets EMAIL_URL.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)
SUBJECT_MAX = 150
CHUNK = 500  # notifications read and marked per query


def site_url(path: str) -> str:
    """An absolute link to a path on this site (WAGTAILADMIN_BASE_URL is the site's address)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def to_email(notifications):
    """The notifications (a queryset) that should be e-mailed and have not been."""
    turned_off = NotificationPreference.objects.filter(user=OuterRef("recipient"), kind=OuterRef("kind"), email=False)
    return (
        notifications.filter(emailed_at__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
        .exclude(Exists(turned_off))
        .select_related("recipient")
    )


def message_for(notification: Notification, connection=None) -> EmailMessage:
    title = " ".join(notification.title_text.split())  # one line: a header cannot hold a newline
    lines = [title, ""]
    body = notification.body_text
    if body:
        lines += [body, ""]
    if notification.link:
        lines += [_("查看详情：%(url)s") % {"url": site_url(notification.link)}, ""]
    lines += [
        "——",
        _("您可以在“通知设置”中关闭此类邮件（%(kind)s）：%(url)s")
        % {"kind": notification.get_kind_display(), "url": site_url(reverse("notifications:settings"))},
    ]
    subject = f"[{_('技能人才网上学习平台')}] {title}"
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    return EmailMessage(subject, "\n".join(lines), to=[notification.recipient.email], connection=connection)


def emails_send(notification_ids: list[int]) -> int:
    """Send the e-mail of these notifications (those still due) over one connection, opened only if
    someone is to be mailed, 500 notifications a query; how many were sent. A message the server
    refuses is logged and left unmarked."""
    total, connection = 0, None
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for start in range(0, len(notification_ids), CHUNK):
                sent = []
                for notification in to_email(
                    Notification.objects.filter(pk__in=notification_ids[start : start + CHUNK])
                ):
                    if connection is None:
                        connection = get_connection()
                        connection.open()
                    try:
                        if connection.send_messages([message_for(notification, connection)]):
                            sent.append(notification.pk)
                    except Exception:
                        log.exception("通知邮件未能发送（通知 %s）", notification.pk)
                if sent:
                    Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
                total += len(sent)
    finally:
        if connection is not None:
            connection.close()
    return total
