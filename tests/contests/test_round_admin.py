"""Editing a round in the admin: safe fields of a running round, unsafe ones refused with a reason."""

import datetime as dt
import re

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.timezone import now as timezone_now

from contests import events, services
from contests.models import AuditLog, Round
from tests.contests.factories import T0

pytestmark = pytest.mark.django_db


def form_data(client, rnd) -> dict:
    """The edit form's fields as the browser would post them back (what the page rendered)."""
    html = client.get(reverse("contests_round:edit", args=[rnd.pk])).content.decode()
    data = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrfmiddlewaretoken",) or " disabled" in tag:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for attrs, body in re.findall(r"<select([^>]*)>(.*?)</select>", html, re.S):
        name = re.search(r'name="([^"]+)"', attrs).group(1)
        if " disabled" in attrs:
            continue
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen and name not in data:
            data[name] = chosen.group(1)
    return data


@pytest.fixture
def started_with_seconds(draft_round, organiser, clock):
    """A round started at 09:00:37: its start time has seconds the admin's widget does not show."""
    clock.move_to(T0 + dt.timedelta(seconds=37))
    services.round_open_lobby(round=draft_round, by=organiser)
    return services.round_start(round=draft_round, by=organiser)


def test_renaming_a_running_round_that_started_on_a_second_is_saved(client, organiser, started_with_seconds):
    rnd = started_with_seconds
    assert rnd.starts_at.second == 37
    client.force_login(organiser)
    data = form_data(client, rnd)
    data["title"] = "决赛（更名）"
    response = client.post(reverse("contests_round:edit", args=[rnd.pk]), data)
    assert response.status_code == 302, re.findall(r"error[^<]*<[^>]*>([^<]+)", response.content.decode())[:5]
    fresh = Round.objects.get(pk=rnd.pk)
    assert fresh.title == "决赛（更名）"
    assert (fresh.starts_at, fresh.ends_at) == (rnd.starts_at, rnd.ends_at)
    log = AuditLog.objects.filter(action="round.edit").get()
    assert log.actor == organiser and log.data["changes"]["title"][1] == "决赛（更名）"


def test_a_running_rounds_schedule_and_parts_are_shown_disabled(client, organiser, started_with_seconds):
    client.force_login(organiser)
    data = form_data(client, started_with_seconds)
    assert {"title", "stage", "freeze_minutes"} <= set(data)
    assert not {"starts_at", "ends_at", "track", "has_theory"} & set(data)


def test_a_posted_start_or_end_time_is_refused_with_the_reason(client, organiser, started_with_seconds):
    rnd = started_with_seconds
    client.force_login(organiser)
    data = form_data(client, rnd)
    data.update(title="新名称", ends_at=(rnd.ends_at + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"))
    response = client.post(reverse("contests_round:edit", args=[rnd.pk]), data)
    assert response.status_code == 200
    assert "比赛开始后不能修改：结束时间。结束时间请在赛务控制台延时" in response.content.decode()
    assert Round.objects.get(pk=rnd.pk).ends_at == rnd.ends_at
    assert not AuditLog.objects.filter(action="round.edit").exists()


def test_a_later_freeze_time_lifts_the_freeze_and_tells_the_boards(
    client, organiser, started_with_seconds, clock, django_capture_on_commit_callbacks
):
    rnd = started_with_seconds  # freeze 30 minutes before the end, 60 minutes after the start
    clock.move_to(rnd.starts_at + dt.timedelta(minutes=65))
    assert Round.objects.get(pk=rnd.pk).is_frozen(timezone_now())
    client.force_login(organiser)
    data = form_data(client, rnd)
    data["freeze_minutes"] = "10"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("contests_round:edit", args=[rnd.pk]), data).status_code == 302
    fresh = Round.objects.get(pk=rnd.pk)
    assert fresh.freeze_minutes == 10 and not fresh.is_frozen(timezone_now())
    assert any(getattr(c, "func", None) is events.round_state_changed for c in callbacks)


def test_after_the_end_the_freeze_time_is_locked_too(client, organiser, started_with_seconds):
    services.round_end(round=started_with_seconds, by=organiser)
    with pytest.raises(ValidationError, match="封榜时间"):
        services.round_edit(round=started_with_seconds, by=organiser, changes={"freeze_minutes": 0})
    renamed = services.round_edit(round=started_with_seconds, by=organiser, changes={"title": "决赛"})
    assert renamed.title == "决赛"


def test_only_organisers_edit_a_round(judge, started_with_seconds):
    with pytest.raises(PermissionDenied):
        services.round_edit(round=started_with_seconds, by=judge, changes={"title": "x"})
