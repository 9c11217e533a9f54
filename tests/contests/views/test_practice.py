"""Practice and device check pages: who opens them, starting an attempt, the organiser's settings
and the organiser's list of checks (未检测 / 未通过 / 已通过), and the links contestants see."""

import datetime as dt

import pytest

from django.urls import reverse

from contests.models import DeviceCheck, PracticeAttempt, TrackPractice
from contests.services import practice as practice_services
from tests.contests.factories import RegistrationFactory
from tests.contests.practice_helpers import practice_bank
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(draft_round, provider_a, organiser):
    return practice_bank(draft_round.track, provider_a, organiser)


def test_a_registrant_starts_and_continues_a_practice_attempt(client, draft_round, bank):
    pending = RegistrationFactory(track=draft_round.track, user__username="pending")
    client.force_login(pending.user)
    home = reverse("contests:practice", args=[draft_round.track_id])
    assert "开始模拟练习" in client.get(home).content.decode()
    response = client.post(home)
    attempt = PracticeAttempt.objects.get(user=pending.user)
    assert response.url == reverse("contests:practice_console", args=[attempt.pk])
    assert client.post(home).url == response.url  # continues the open attempt
    page = client.get(response.url).content.decode()
    assert "模拟练习" in page and f"/ws/tracks/{draft_round.track_id}/practice/{attempt.pk}/" in page
    assert '"practice": true' in page
    assert bank[0].explanation not in page  # no key or explanation in the page


def test_practice_pages_refuse_outsiders_and_other_users_attempts(client, draft_round, bank, learner, other_learner):
    attempt = practice_services.practice_start(user=learner, track=draft_round.track)
    client.force_login(UserFactory(username="outsider"))
    home = reverse("contests:practice", args=[draft_round.track_id])
    assert client.get(home).status_code == 403
    assert client.post(home).status_code == 403
    assert client.get(reverse("contests:practice_console", args=[attempt.pk])).status_code == 404
    client.force_login(other_learner)
    assert client.get(reverse("contests:practice_console", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("contests:practice_console", args=[2**62])).status_code == 404
    assert PracticeAttempt.objects.count() == 1


def test_only_organisers_set_the_practice_bank(client, draft_round, provider_a, organiser, learner, judge):
    url = reverse("contests:practice_settings", args=[draft_round.track_id])
    data = {"provider": provider_a.pk, "category": " 练习题 ", "questions_per_paper": 5, "enabled": "on"}
    for user in (learner, judge):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert not TrackPractice.objects.exists()
    client.force_login(organiser)
    assert client.post(url, {**data, "questions_per_paper": 1000}).status_code == 200  # refused by the form
    assert not TrackPractice.objects.exists()
    assert client.post(url, data).status_code == 302
    settings = TrackPractice.objects.get(track=draft_round.track)
    assert (settings.category, settings.questions_per_paper, settings.enabled) == ("练习题", 5, True)


def test_a_track_without_practice_says_so(client, draft_round, learner):
    client.force_login(learner)
    home = reverse("contests:practice", args=[draft_round.track_id])
    assert "本赛项尚未开放模拟练习" in client.get(home).content.decode()
    assert "本赛项尚未开放模拟练习" in client.post(home, follow=True).content.decode()
    assert not PracticeAttempt.objects.exists()


def test_contestants_see_the_practice_and_device_check_links(client, draft_round, bank, learner):
    client.force_login(learner)
    page = client.get(reverse("contests:detail", args=[draft_round.track.contest.slug])).content.decode()
    assert reverse("contests:practice", args=[draft_round.track_id]) in page
    assert reverse("contests:device_check", args=[draft_round.pk]) in page
    before = client.get(reverse("contests:contestant", args=[draft_round.pk])).content.decode()
    assert reverse("contests:device_check", args=[draft_round.pk]) in before


def test_the_device_check_page_is_for_approved_contestants(client, draft_round, learner):
    url = reverse("contests:device_check", args=[draft_round.pk])
    pending = RegistrationFactory(track=draft_round.track, user__username="pending")
    client.force_login(pending.user)
    assert client.get(url).status_code == 403
    client.force_login(learner)
    page = client.get(url).content.decode()
    assert f"/ws/rounds/{draft_round.pk}/check/" in page and "1500" in page


def test_organisers_see_who_passed_the_device_check(client, draft_round, learner, other_learner, organiser):
    now = dt.datetime.now(dt.UTC)
    DeviceCheck.objects.create(round=draft_round, user=learner, passed=True, latency_ms=42, clock_offset_ms=-120,
                               pings=5, sample_acked=True, user_agent="<b>Agent</b>", checked_at=now)  # fmt: skip
    third = RegistrationFactory(track=draft_round.track, user__username="third", status="approved", decided_at=now)
    DeviceCheck.objects.create(
        round=draft_round, user=third.user, passed=False, latency_ms=2400, pings=5, checked_at=now
    )
    url = reverse("contests:device_checks", args=[draft_round.pk])
    client.force_login(learner)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    page = client.get(url).content.decode()
    for state, n in (("none", 1), ("failed", 1), ("passed", 1)):
        assert f'data-count="{state}">{n}<' in page
    assert "&lt;b&gt;Agent&lt;/b&gt;" in page
    passed = client.get(url, {"status": "passed"}).content.decode()
    assert f'data-user="{learner.pk}"' in passed and f'data-user="{other_learner.pk}"' not in passed
    untested = client.get(url, {"status": "none"}).content.decode()
    assert f'data-user="{other_learner.pk}"' in untested and f'data-user="{learner.pk}"' not in untested
    assert client.get(url, {"status": "<script>"}).status_code == 200
    console = client.get(reverse("contests:console", args=[draft_round.pk])).content.decode()
    assert url in console
