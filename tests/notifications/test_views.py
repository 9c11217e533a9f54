"""The notification centre: one's own notifications only, unread in bold, opened by POST (read, then
its link if it is a path on this site), all marked read; the e-mail settings; the bell's count."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.messages import Message
from notifications import services
from notifications.models import Notification, NotificationKind, NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, title="您的结业证书已颁发", url="/certificates/", **kwargs):
    services.notify(recipients=[user], kind=NotificationKind.CERTIFICATE_ISSUED, title=title, url=url, **kwargs)
    return Notification.objects.filter(recipient=user).first()


def test_the_centre_lists_ones_own_notifications_unread_in_bold(client, learner, other_learner):
    _notify(learner, title="甲的通知")
    _notify(other_learner, title="乙的通知")
    client.force_login(learner)
    page = client.get("/notifications/").content.decode()
    assert "甲的通知" in page and "乙的通知" not in page
    assert 'class="card notice notice-unread"' in page


def test_the_centre_shows_a_message_in_the_readers_language(client, learner):
    _notify(learner, title=Message("您已被分配到培训班「%(name)s」", name="数字技能班"))
    client.force_login(learner)
    client.cookies["django_language"] = "en"
    assert "You have been assigned to the training class" in client.get("/notifications/").content.decode()


def test_the_centre_pages(client, learner):
    for i in range(25):
        _notify(learner, title=f"通知{i}")
    client.force_login(learner)
    first = client.get("/notifications/").content.decode()
    assert "通知24" in first and "通知4<" not in first and "?page=2" in first
    assert "通知4" in client.get("/notifications/?page=2").content.decode()
    assert client.get("/notifications/?page=999").status_code == 200  # the last page
    assert client.get("/notifications/?page=x").status_code == 200


def test_opening_marks_read_and_follows_the_site_link(client, learner):
    notification = _notify(learner, url="/certificates/")
    client.force_login(learner)
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/certificates/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_without_a_link_opens_back_to_the_centre(client, learner):
    notification = _notify(learner, url="")
    client.force_login(learner)
    assert client.post(f"/notifications/{notification.pk}/open/")["Location"] == "/notifications/"


def test_another_persons_notification_is_404_and_stays_unread(client, learner, other_learner):
    theirs = _notify(other_learner)
    client.force_login(learner)
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post("/notifications/999999/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_is_a_post(client, learner):
    notification = _notify(learner)
    client.force_login(learner)
    assert client.get(f"/notifications/{notification.pk}/open/").status_code == 405
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_anonymous_is_sent_to_log_in(client, learner):
    notification = _notify(learner)
    assert client.get("/notifications/").status_code == 302
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 302
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_all_read_touches_only_ones_own(client, learner, other_learner):
    _notify(learner)
    _notify(learner, title="二")
    _notify(other_learner)
    client.force_login(learner)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=learner, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=other_learner).read_at is None


def test_turning_email_off_for_a_kind(client, learner, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(learner)
    page = client.get("/notifications/settings/").content.decode()
    assert page.count('type="checkbox"') == len(NotificationKind.values) and "checked" in page
    keep = {kind: "on" for kind in NotificationKind.values if kind != NotificationKind.CERTIFICATE_ISSUED}
    assert client.post("/notifications/settings/", keep).status_code == 302
    assert list(NotificationPreference.objects.filter(user=learner).values_list("kind", "email")) == [
        ("certificate_issued", False)
    ]
    assert (
        'name="certificate_issued" id="id_certificate_issued">'
        in client.get("/notifications/settings/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify(learner)
        services.notify(recipients=[learner], kind=NotificationKind.ROUND_LOBBY, title="比赛即将开始")
    assert [m.subject for m in mailoutbox] == ["[技能人才网上学习平台] 比赛即将开始"]
    assert Notification.objects.filter(recipient=learner).count() == 2  # still in the centre


def test_an_unknown_setting_is_ignored(client, learner):
    client.force_login(learner)
    assert client.post("/notifications/settings/", {"spam": "on", "round_lobby": "x" * 100_000}).status_code == 302
    assert client.post("/notifications/settings/", {"x" * 5000: "on"}).status_code == 400  # Django's own limit
    assert NotificationPreference.objects.filter(user=learner).count() == len(NotificationKind.values) - 1


def test_the_header_shows_the_unread_count_with_one_query(client, learner):
    _notify(learner)
    _notify(learner, title="二")
    client.force_login(learner)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/learn/").content.decode()
    assert 'id="notification-bell"' in page
    assert '<span class="bell-count">2<span class="visually-hidden">' in page
    counts = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0]["sql"]
    services.notifications_read_all(user=learner)
    assert "bell-count" not in client.get("/learn/").content.decode()


def test_the_header_caps_the_count(client, learner):
    Notification.objects.bulk_create(
        [Notification(recipient=learner, kind=NotificationKind.INVITATION, title=f"{i}") for i in range(120)]
    )
    client.force_login(learner)
    assert '<span class="bell-count">99+' in client.get("/learn/").content.decode()


def test_no_bell_and_no_query_for_anonymous(client, site):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/learn/", follow=True).content.decode()
    assert "notification-bell" not in page
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def test_a_user_without_email_is_told_on_the_settings_page(client):
    user = UserFactory(email="")
    client.force_login(user)
    assert "还没有填写邮箱" in client.get("/notifications/settings/").content.decode()


def test_the_count_comes_with_the_signed_in_users_own_query(client, learner):
    _notify(learner)
    client.force_login(learner)
    client.get("/learn/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/learn/")
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and 'FROM "accounts_user"' in counts[0]


def test_a_new_notification_shows_in_the_bell_on_the_next_request(client, learner):
    client.force_login(learner)
    assert "bell-count" not in client.get("/learn/").content.decode()
    _notify(learner)
    assert '<span class="bell-count">1<span class="visually-hidden">' in client.get("/learn/").content.decode()
    _notify(learner, title="二")
    assert '<span class="bell-count">2<span class="visually-hidden">' in client.get("/learn/").content.decode()
    notification = Notification.objects.filter(recipient=learner).first()
    client.post(f"/notifications/{notification.pk}/open/")
    assert '<span class="bell-count">1<span class="visually-hidden">' in client.get("/learn/").content.decode()
