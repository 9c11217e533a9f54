"""The before-lobby page of approved contestants; the organiser console's freeze buttons and log."""

import pytest

from django.urls import reverse

from contests import services
from contests.models import AuditLog, Round
from tests.contests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_an_approved_contestant_before_the_lobby_sees_when_it_starts(client, draft_round, learner, clock):
    client.force_login(learner)
    response = client.get(reverse("contests:contestant", args=[draft_round.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "比赛尚未开始入场" in html and "您不是本场次审核通过的选手" not in html
    assert f'data-starts-at="{draft_round.starts_at.isoformat()}"' in html
    assert 'data-server-time="' in html and "js/round-wait.js" in html


def test_an_unapproved_user_before_the_lobby_is_still_refused(client, draft_round, clock):
    client.force_login(RegistrationFactory(track=draft_round.track, user__username="waiting").user)
    response = client.get(reverse("contests:contestant", args=[draft_round.pk]))
    assert response.status_code == 403 and "您不是本场次审核通过的选手" in response.content.decode()


def test_the_organiser_freezes_and_unfreezes_the_board_from_the_console(client, organiser, running_round, clock):
    client.force_login(organiser)
    url = reverse("contests:control", args=[running_round.pk])
    client.post(url, {"action": "freeze"})
    rnd = Round.objects.get(pk=running_round.pk)
    assert rnd.frozen_manually_at is not None and rnd.is_frozen(rnd.frozen_manually_at)
    page = client.get(reverse("contests:console", args=[rnd.pk])).content.decode()
    assert "解除封榜" in page and f"{organiser.display_name} 对 {rnd} 手动封榜" in page
    assert "round.freeze" not in page
    client.post(url, {"action": "unfreeze"})
    assert Round.objects.get(pk=rnd.pk).frozen_manually_at is None
    assert list(AuditLog.objects.filter(round=rnd).values_list("action", flat=True)[:2]) == [
        "round.unfreeze",
        "round.freeze",
    ]


def test_a_scheduled_freeze_cannot_be_lifted_before_the_end(organiser, running_round, clock):
    services.round_freeze(round=running_round, by=organiser)
    clock.shift(61 * 60)  # the scheduled freeze (30 minutes before a 90-minute round's end) began
    with pytest.raises(Exception, match="预定的封榜时间"):
        services.round_unfreeze(round=running_round, by=organiser)
    with pytest.raises(Exception, match="已经封榜"):
        services.round_freeze(round=running_round, by=organiser)


def test_a_judge_cannot_freeze_and_nobody_unfreezes_after_the_end(client, organiser, judge, running_round, clock):
    client.force_login(judge)
    assert client.post(reverse("contests:control", args=[running_round.pk]), {"action": "freeze"}).status_code == 403
    assert Round.objects.get(pk=running_round.pk).frozen_manually_at is None
    services.round_freeze(round=running_round, by=organiser)
    services.round_end(round=running_round, by=organiser)
    with pytest.raises(Exception, match="不能执行此操作"):
        services.round_unfreeze(round=running_round, by=organiser)
