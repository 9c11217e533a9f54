"""签到: a worker of an open class signs in once a day (Asia/Shanghai) on the class page; signing in
again that day changes nothing; nobody else can sign in or see the page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.urls import reverse

from training.models import ClassSignIn, ClassStatus, RosterEntry, RosterStatus, TrainingClass

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def open_class(subsidised_class):
    today = dt.date(2026, 3, 2)
    TrainingClass.objects.filter(pk=subsidised_class.pk).update(
        status=ClassStatus.OPEN, starts_on=today - dt.timedelta(days=1), deadline=today + dt.timedelta(days=30)
    )
    subsidised_class.refresh_from_db()
    return subsidised_class


def _at(hour, minute=0, day=2):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_a_worker_signs_in_once_a_day(client, open_class, workers):
    user, entry = workers[0]
    client.force_login(user)
    page = reverse("training:my_class", args=[open_class.pk])
    sign_in = reverse("training:sign_in", args=[open_class.pk])
    with time_machine.travel(_at(8, 30), tick=False):
        body = client.get(page).content.decode()
        assert open_class.name in body and "工业控制系统安全" in body and "2026-04-01" in body
        assert f'action="{sign_in}"' in body
        assert client.post(sign_in, REMOTE_ADDR="203.0.113.9").status_code == 302
    with time_machine.travel(_at(17, 45), tick=False):
        response = client.post(sign_in, follow=True)
        assert "今天已经签到过了（08:30）" in response.content.decode()
        assert f'action="{sign_in}"' not in client.get(page).content.decode()
    rows = list(ClassSignIn.objects.filter(member__entry=entry))
    assert len(rows) == 1
    assert rows[0].day == dt.date(2026, 3, 2) and str(rows[0].ip) == "203.0.113.9"
    with time_machine.travel(_at(7, 0, day=3), tick=False):
        client.post(sign_in)
    assert ClassSignIn.objects.filter(member__entry=entry).count() == 2


def test_the_day_is_the_day_in_shanghai(client, open_class, workers):
    user, entry = workers[0]
    client.force_login(user)
    # 16:30 UTC on 2 March is 00:30 on 3 March in Shanghai
    with time_machine.travel(dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC), tick=False):
        client.post(reverse("training:sign_in", args=[open_class.pk]))
    assert ClassSignIn.objects.get(member__entry=entry).day == dt.date(2026, 3, 3)


def test_a_forged_forwarded_address_is_not_stored(client, open_class, workers, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    user, entry = workers[0]
    client.force_login(user)
    with time_machine.travel(_at(9), tick=False):
        client.post(reverse("training:sign_in", args=[open_class.pk]), HTTP_X_FORWARDED_FOR="<script>, not-an-ip")
    assert ClassSignIn.objects.get(member__entry=entry).ip is None


def test_no_sign_in_before_the_class_opens(client, subsidised_class, workers):
    user, _entry = workers[0]
    client.force_login(user)
    page = client.get(reverse("training:my_class", args=[subsidised_class.pk])).content.decode()
    assert "开班后每天可在此签到一次" in page
    response = client.post(reverse("training:sign_in", args=[subsidised_class.pk]), follow=True)
    assert "尚未开班" in response.content.decode()
    assert not ClassSignIn.objects.exists()


def test_no_sign_in_after_the_class_is_closed(client, open_class, workers):
    TrainingClass.objects.filter(pk=open_class.pk).update(status=ClassStatus.CLOSED)
    user, _entry = workers[0]
    client.force_login(user)
    with time_machine.travel(_at(9), tick=False):
        client.post(reverse("training:sign_in", args=[open_class.pk]))
    assert not ClassSignIn.objects.exists()


def test_people_outside_the_class_get_404(client, open_class, learner, manager_a, staff_b, organiser, workers):
    for person in (learner, manager_a, staff_b, organiser):
        client.force_login(person)
        assert client.get(reverse("training:my_class", args=[open_class.pk])).status_code == 404
        assert client.post(reverse("training:sign_in", args=[open_class.pk])).status_code == 404
    client.force_login(workers[0][0])
    assert client.post(reverse("training:sign_in", args=[999_999])).status_code == 404
    assert not ClassSignIn.objects.exists()


def test_a_worker_who_left_the_company_cannot_sign_in(client, open_class, workers):
    user, entry = workers[1]
    RosterEntry.objects.filter(pk=entry.pk).update(status=RosterStatus.LEFT)
    client.force_login(user)
    assert client.post(reverse("training:sign_in", args=[open_class.pk])).status_code == 404
    assert not ClassSignIn.objects.exists()


def test_anonymous_is_sent_to_log_in(client, open_class):
    response = client.post(reverse("training:sign_in", args=[open_class.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ClassSignIn.objects.exists()
