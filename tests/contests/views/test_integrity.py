"""The integrity page (诚信监测): organisers and the track's chief judge only, no names for the chief
judge, the device release for organisers; the contestant's console shows a hand-in as done."""

import pytest

from django.urls import reverse
from django.utils import timezone

from contests import services
from contests.integrity import SignalCounts
from contests.models import AuditLog, Entry, Round, TrackJudge
from tests.contests.factories import ApprovedRegistrationFactory, RoundFactory
from tests.contests.helpers import page_config
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEVICE = "0f4c2a9e-1b7d-4c3e-9a55-2d8e6f1a0b3c"


def url(rnd):
    return reverse("contests:integrity", args=[rnd.pk])


@pytest.fixture
def signalled(running_round, entry, clock):
    services.entry_signals_add(entry_id=entry.pk, counts=SignalCounts(left=3, away_seconds=125, pastes=2))
    return entry


def test_the_page_is_closed_to_contestants_judges_and_the_public(client, running_round, signalled, learner, judge):
    assert client.get(url(running_round)).status_code == 302  # to the login page
    for user in (learner, judge):  # judge: of the track, but not its chief
        client.force_login(user)
        response = client.get(url(running_round))
        assert response.status_code == 403
        assert "data-left" not in response.content.decode()


def test_organisers_see_every_contestant_with_names_and_counts(client, running_round, signalled, organiser):
    client.force_login(organiser)
    response = client.get(url(running_round))
    body = response.content.decode()
    assert response.status_code == 200
    assert "张三" in body and "李四" in body and "甲公司" in body
    assert f'<tr data-entry="{signalled.pk}">' in body
    assert '<td class="num" data-left>3</td>' in body
    assert '<td class="num" data-away>2:05</td>' in body
    assert '<td class="num" data-paste>2</td>' in body


def test_the_chief_judge_sees_the_counts_without_names(client, running_round, signalled, judge):
    TrackJudge.objects.filter(track=running_round.track, judge=judge).update(is_chief=True)
    client.force_login(judge)
    response = client.get(url(running_round))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num" data-left>3</td>' in body
    assert "张三" not in body and "李四" not in body and "甲公司" not in body
    assert "未抽签的选手" in body  # no seat drawn yet
    Entry.objects.filter(pk=signalled.pk).update(checked_in_at=timezone.now(), seat_number=7)
    assert "7 号座位" in client.get(url(running_round)).content.decode()
    judge_page = client.get(reverse("contests:judge", args=[running_round.pk])).content.decode()
    assert url(running_round) in judge_page


def test_only_an_organiser_releases_a_device(client, running_round, entry, organiser, judge, learner):
    Round.objects.filter(pk=running_round.pk).update(one_device=True)
    services.entry_connect(entry=entry, device=DEVICE)
    TrackJudge.objects.filter(track=running_round.track, judge=judge).update(is_chief=True)
    for user in (learner, judge):
        client.force_login(user)
        assert client.post(url(running_round), {"action": "release", "entry": entry.pk}).status_code == 403
    assert Entry.objects.get(pk=entry.pk).device_hash
    client.force_login(organiser)
    assert client.post(url(running_round), {"entry": 10**30}).status_code == 404
    response = client.post(url(running_round), {"action": "release", "entry": entry.pk}, follow=True)
    assert "已解除设备绑定：张三" in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).device_hash == ""
    assert AuditLog.objects.filter(action="entry.device_release", object_id=entry.pk, actor=organiser).exists()
    again = client.post(url(running_round), {"action": "release", "entry": entry.pk}, follow=True)
    assert "该选手没有绑定设备" in again.content.decode()


def test_a_release_names_an_entry_of_this_round(client, running_round, organiser, learner):
    other = RoundFactory(track__contest__organiser=organiser, one_device=True)
    ApprovedRegistrationFactory(track=other.track, user=learner)
    services.round_open_lobby(round=other, by=organiser)
    elsewhere = other.entries.get()
    services.entry_connect(entry=elsewhere, device=DEVICE)
    client.force_login(organiser)
    assert client.post(url(running_round), {"entry": elsewhere.pk}).status_code == 404
    assert Entry.objects.get(pk=elsewhere.pk).device_hash
    for junk in ("x", "-1", "0", "1e3", "9" * 40, ""):
        assert client.post(url(running_round), {"entry": junk}).status_code == 404


def test_the_console_of_a_contestant_who_handed_in_shows_the_done_state(client, running_round, entry, learner):
    services.entry_hand_in(entry=entry, user=learner)
    client.force_login(learner)
    response = client.get(reverse("contests:contestant", args=[running_round.pk]))
    assert page_config(response)["handed_in"] is True
    body = response.content.decode()
    assert '<div class="banner" data-done >' in body and "答案已提交，不能再修改" in body
    assert "focus_lost" not in body and "paste_count" not in body


def test_a_judge_of_another_track_who_is_its_chief_sees_nothing_here(client, running_round, organiser):
    other = UserFactory(username="chief-elsewhere")
    other_round = Round.objects.create(
        track=type(running_round.track).objects.create(
            contest=running_round.track.contest, name="其他赛项", slug="other-track"
        ),
        starts_at=running_round.starts_at,
        ends_at=running_round.ends_at,
    )
    TrackJudge.objects.create(track=other_round.track, judge=other, is_chief=True)
    client.force_login(other)
    assert client.get(url(running_round)).status_code == 403
    assert client.get(url(other_round)).status_code == 200
