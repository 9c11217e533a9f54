"""A contestant's pages: registering for a track (and the organiser's approval), the answering
console for approved contestants only, and the live pages in English."""

import pytest

from django.urls import reverse
from django.utils import translation

from contests.models import Registration
from tests.contests.factories import RegistrationFactory
from tests.contests.helpers import page_config as config
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_learner_registers_and_organiser_approves_in_the_browser(client, draft_round, organiser):
    track = draft_round.track
    newcomer = UserFactory(username="newcomer", organisation="丙公司")
    client.force_login(newcomer)
    page = client.get(reverse("contests:register", args=[track.pk]))
    assert "丙公司" in page.content.decode() and "广东省" in page.content.decode()
    response = client.post(reverse("contests:register", args=[track.pk]), {"organisation": "丙公司", "province": "44"})
    assert response.status_code == 302
    registration = Registration.objects.get(user=newcomer)
    assert registration.status == "pending"
    assert client.get(reverse("contests:registrations", args=[track.pk])).status_code == 403
    client.force_login(organiser)
    listing = client.get(reverse("contests:registrations", args=[track.pk]) + "?status=pending")
    assert "newcomer" in listing.content.decode() or newcomer.display_name in listing.content.decode()
    client.post(
        reverse("contests:registrations", args=[track.pk]), {"registration": registration.pk, "action": "approve"}
    )
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.decided_by == organiser


def test_console_is_for_approved_contestants_only(client, running_round, entry, learner):
    url = reverse("contests:contestant", args=[running_round.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(RegistrationFactory(track=running_round.track, user__username="waiting").user)
    refused = client.get(url)
    assert refused.status_code == 403 and "您不是本场次审核通过的选手" in refused.content.decode()
    client.force_login(learner)
    page = client.get(url)
    assert page.status_code == 200
    assert {k: v for k, v in config(page).items() if k != "strings"} == {
        "round": running_round.pk,
        "entry": entry.pk,
        "socket": f"/ws/rounds/{running_round.pk}/contestant/",
        "board": reverse("contests:scoreboard", args=[running_round.pk]),
        "handed_in": False,
    }
    body = page.content.decode()
    assert "contest-console.js" in body and "张三" in body


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)  # the middleware leaves the request's language active


def test_live_pages_in_english(english, running_round, entry, learner):
    client = english
    client.force_login(learner)
    console = client.get(reverse("contests:contestant", args=[running_round.pk]))
    assert "Progress" in console.content.decode() and config(console)["strings"]["saved"] == "Saved"
    board = client.get(reverse("contests:scoreboard", args=[running_round.pk]) + "?view=all")
    body = board.content.decode()
    assert "Live scoreboard" in body and "Full board" in body and "My rank" in body
    display = client.get(reverse("contests:display", args=[running_round.pk]))
    assert "Venue display" in display.content.decode()


def test_a_registered_learner_is_told_at_once_and_offered_no_form(client, draft_round, learner):
    """learner (张三) is approved on the track: the register page says so with the status, no form;
    a crafted post registers nothing more; the contest page offers no 报名 link for the track."""
    track = draft_round.track
    url = reverse("contests:register", args=[track.pk])
    client.force_login(learner)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "您已报名该赛项" in body and 'id="registered" data-status="approved"' in body and "已通过" in body
    assert "提交报名" not in body and 'name="province"' not in body
    client.post(url, {"organisation": "甲公司", "province": "32"})
    assert Registration.objects.filter(track=track, user=learner).count() == 1
    contest_page = client.get(reverse("contests:detail", args=[track.contest.slug])).content.decode()
    assert f'href="{url}"' not in contest_page


def test_a_pending_registration_shows_its_status_and_the_withdraw_button(client, draft_round):
    registration = RegistrationFactory(track=draft_round.track, user__username="waiting")
    client.force_login(registration.user)
    body = client.get(reverse("contests:register", args=[draft_round.track.pk])).content.decode()
    assert 'data-status="pending"' in body and "待审核" in body and "提交报名" not in body
    assert reverse("contests:withdraw", args=[registration.pk]) in body


def test_after_withdrawing_the_form_is_back(client, draft_round):
    registration = RegistrationFactory(track=draft_round.track, user__username="waiting")
    client.force_login(registration.user)
    client.post(reverse("contests:withdraw", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    body = client.get(reverse("contests:register", args=[draft_round.track.pk])).content.decode()
    assert "提交报名" in body and 'id="registered"' not in body


def test_a_judge_of_the_track_is_told_before_any_form(client, draft_round):
    """回避: a judge of the track cannot register; the register page and the contest page say so
    instead of offering a form or a link, and a crafted post registers nothing."""
    from contests.models import TrackJudge

    track = draft_round.track
    judge = UserFactory(username="judge-r")
    TrackJudge.objects.create(track=track, judge=judge)
    client.force_login(judge)
    url = reverse("contests:register", args=[track.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 403 and "您是该赛项的评委，不能报名参赛" in body and "提交报名" not in body
    client.post(url, {"organisation": "甲公司", "province": "32"})
    assert not Registration.objects.filter(track=track, user=judge).exists()
    detail = client.get(reverse("contests:detail", args=[track.contest.slug])).content.decode()
    assert f'href="{url}"' not in detail and "您是该赛项的评委，不能报名参赛" in detail
