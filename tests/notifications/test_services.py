"""notify: one row per person, e-mail only to those with an address who have not turned the kind off,
links only to this site, once per dedupe key, cheap for a field of 2,000."""

import pytest
from django_tasks.signals import task_enqueued

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from courses.messages import Message
from notifications import services
from notifications.models import Notification, NotificationKind, NotificationPreference, is_site_path
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    """The tasks enqueued while the test runs."""
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append(task_result)

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def test_notify_creates_a_row_each_and_mails_only_those_who_want_it(django_capture_on_commit_callbacks, mailoutbox):
    wants = UserFactory(username="wants")
    turned_off = UserFactory(username="turned_off")
    no_address = UserFactory(username="no_address", email="")
    other_kind_off = UserFactory(username="other_kind_off")
    NotificationPreference.objects.create(user=turned_off, kind=NotificationKind.CERTIFICATE_ISSUED, email=False)
    NotificationPreference.objects.create(user=other_kind_off, kind=NotificationKind.ROUND_LOBBY, email=False)

    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(
            recipients=[wants, turned_off, no_address, other_kind_off.pk, wants],
            kind=NotificationKind.CERTIFICATE_ISSUED,
            title=Message("您的结业证书已颁发"),
            body="工业互联网平台应用",
            url="/certificates/",
        )

    assert created == 4
    rows = Notification.objects.order_by("recipient__username")
    assert [r.recipient.username for r in rows] == ["no_address", "other_kind_off", "turned_off", "wants"]
    assert {r.title for r in rows} == {"您的结业证书已颁发"} and all(r.read_at is None for r in rows)
    assert sorted(m.to[0] for m in mailoutbox) == ["other_kind_off@example.cn", "wants@example.cn"]
    message = next(m for m in mailoutbox if m.to == ["wants@example.cn"])
    assert "您的结业证书已颁发" in message.subject
    assert "工业互联网平台应用" in message.body and "http://testserver/certificates/" in message.body
    assert "http://testserver/notifications/settings/" in message.body
    emailed = set(Notification.objects.filter(emailed_at__isnull=False).values_list("recipient__username", flat=True))
    assert emailed == {"wants", "other_kind_off"}


def test_nothing_is_mailed_before_the_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[UserFactory()], kind=NotificationKind.INVITATION, title="名册邀请")
    assert mailoutbox == [] and len(callbacks) == 1


@pytest.mark.parametrize(
    "url",
    ["//evil.com", "//evil.com/path", "/\\evil.com", "javascript:alert(1)", "https://evil.com/", "evil.com", "/a b"],
)
def test_a_link_to_another_host_or_a_script_is_refused(url):
    assert not is_site_path(url)
    with pytest.raises(ValidationError):
        services.notify(recipients=[UserFactory()], kind=NotificationKind.INVITATION, title="x", url=url)
    assert not Notification.objects.exists()


def test_the_database_refuses_another_host_too():
    user = UserFactory()
    for url in ("//evil.com", "javascript:alert(1)", "/\\evil.com"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(recipient=user, kind=NotificationKind.INVITATION, title="x", url=url)
    Notification.objects.create(recipient=user, kind=NotificationKind.INVITATION, title="x", url="/learn/?a=1#b")


def test_a_link_is_not_followed_unless_it_is_a_site_path():
    assert Notification(url="/learn/").link == "/learn/"
    assert Notification(url="//evil.com").link == ""
    assert Notification(url="javascript:alert(1)").link == ""


def test_an_unknown_kind_or_an_empty_title_is_refused():
    with pytest.raises(ValueError):
        services.notify(recipients=[UserFactory()], kind="spam", title="x")
    with pytest.raises(ValidationError):
        services.notify(recipients=[UserFactory()], kind=NotificationKind.INVITATION, title="")


def test_a_dedupe_key_tells_each_person_once():
    first, second = UserFactory(), UserFactory()
    kwargs = {"kind": NotificationKind.DEADLINE_SOON, "title": "学习期限将至", "dedupe_key": "deadline:1:2026-06-04"}
    assert services.notify(recipients=[first], **kwargs) == 1
    assert services.notify(recipients=[first, second], **kwargs) == 1
    assert services.notify(recipients=[first, second], **kwargs) == 0
    assert services.notify(recipients=[first], **(kwargs | {"dedupe_key": "deadline:1:2026-06-08"})) == 1
    assert Notification.objects.filter(recipient=first).count() == 2


def test_two_thousand_recipients_cost_a_bulk_insert_and_one_task(
    django_capture_on_commit_callbacks, mailoutbox, enqueued
):
    users = UserFactory.create_batch(2000)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.notify(recipients=users, kind=NotificationKind.ROUND_LOBBY, title="比赛即将开始") == 2000
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "notifications_notification"')]
    # one statement where the database allows it (PostgreSQL); SQLite caps the parameters of one statement
    assert len(inserts) <= 2000 * 9 // 999 + 1
    assert len(queries.captured_queries) <= len(inserts) + 3  # + savepoint and release
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert len(enqueued) == 1
    assert len(mailoutbox) == 2000
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_reading_one_and_all(django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    services.notify(recipients=[user, other], kind=NotificationKind.INVITATION, title="一")
    services.notify(recipients=[user], kind=NotificationKind.INVITATION, title="二")
    first = Notification.objects.get(recipient=user, title="一")
    services.notification_read(notification=first)
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    services.notification_read(notification=first)
    first.refresh_from_db()
    assert first.read_at == read_at  # reading again keeps the first time
    assert services.notifications_read_all(user=user) == 1
    assert Notification.objects.get(recipient=other).read_at is None


def test_preferences_store_only_what_is_off():
    user = UserFactory()
    services.preferences_save(user=user, email_kinds=[k for k in NotificationKind.values if k != "round_lobby"])
    assert list(NotificationPreference.objects.filter(user=user).values_list("kind", "email")) == [
        ("round_lobby", False)
    ]
    services.preferences_save(user=user, email_kinds=NotificationKind.values)
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_a_refused_message_is_left_unmarked_and_the_others_go(django_capture_on_commit_callbacks, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    send = EmailBackend.send_messages

    def refusing(self, messages):
        if messages[0].to == ["bad@example.cn"]:
            raise OSError("550 mailbox unavailable")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing)
    good, bad = UserFactory(username="good"), UserFactory(username="bad")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[bad, good], kind=NotificationKind.INVITATION, title="名册邀请")
    assert Notification.objects.get(recipient=good).emailed_at is not None
    assert Notification.objects.get(recipient=bad).emailed_at is None


def test_nobody_to_mail_opens_no_connection(django_capture_on_commit_callbacks, monkeypatch):
    # the task's errors are caught by the backend, so the test records the calls instead of raising
    opened = []
    monkeypatch.setattr("notifications.emails.get_connection", lambda *a, **k: opened.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify(recipients=[UserFactory(email="")], kind=NotificationKind.INVITATION, title="x") == 1
    assert opened == []
