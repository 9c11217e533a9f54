"""The organiser's pages: closed to everyone else, and a whole round run from the round console."""

import json
import re

import pytest

from django.urls import reverse

from contests.models import AuditLog, JudgeScore, Round, ScoreboardRow, Track
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, right, theory_answer_save

pytestmark = pytest.mark.django_db


def control(client, rnd, action, **data):
    return client.post(reverse("contests:control", args=[rnd.pk]), {"action": action, **data})


@pytest.mark.parametrize("name", ["console", "control", "registrations"])
def test_organiser_pages_are_closed_to_everyone_else(client, draft_round, learner, judge, name):
    arg = draft_round.track_id if name == "registrations" else draft_round.pk
    url = reverse(f"contests:{name}", args=[arg])
    assert client.get(url).status_code == 302  # to the login page
    for user in (learner, judge):
        client.force_login(user)
        assert (client.post(url, {"action": "start"}) if name == "control" else client.get(url)).status_code == 403
    assert Round.objects.get(pk=draft_round.pk).status == "draft"


@pytest.mark.parametrize("round_id", [999_999, 10**30])
def test_the_console_of_a_round_that_does_not_exist_is_a_404(client, organiser, round_id):
    """The clock's check ran first and raised DoesNotExist (a 500) for any unknown round."""
    client.raise_request_exception = False
    client.force_login(organiser)
    assert client.get(reverse("contests:console", args=[round_id])).status_code == 404


def test_organiser_runs_a_round_end_to_end(client, draft_round, organiser, judge, learner, other_learner, paper, clock):
    rnd = draft_round
    client.force_login(organiser)
    control(client, rnd, "open_lobby")
    control(client, rnd, "start")
    control(client, rnd, "pause")
    clock.move_to(T0 + minutes(5))
    control(client, rnd, "resume")
    control(client, rnd, "extend", minutes="3")
    entry = rnd.entries.get(registration__user=learner)
    control(client, rnd, "extend", minutes="2", entry=str(entry.pk))
    control(client, rnd, "announce", text="请检查网络连接")
    check_in = reverse("contests:check_in", args=[rnd.pk])
    client.post(check_in, {"action": "check_in", "entry": list(rnd.entries.values_list("pk", flat=True))})
    client.post(check_in, {"action": "commit"})
    client.post(check_in, {"action": "draw"})
    seat = rnd.entries.get(pk=entry.pk).seat_number
    console = client.get(reverse("contests:console", args=[rnd.pk])).content.decode()
    assert "请检查网络连接" in console and "进行中" in console
    assert Round.objects.get(pk=rnd.pk).deadline(T0 + minutes(5)) == T0 + minutes(98)

    clock.move_to(T0 + minutes(70))  # frozen for the public from 68 minutes
    for q in paper:
        theory_answer_save(entry=entry, question_id=q.pk, client_id=cid(), answer=right(q))
    criterion = rnd.tasks.get().criteria.get(kind="judgement")
    client.force_login(judge)
    judge_url = reverse("contests:judge", args=[rnd.pk])
    assert "漏洞修复" in client.get(judge_url + f"?seat={seat}").content.decode()
    client.post(judge_url, {"seat": seat, "criterion": criterion.pk, "value": "48", "action": "submit_confirm"})
    assert JudgeScore.objects.get(entry=entry).confirmed
    assert ScoreboardRow.objects.get(entry=entry).practical_score == 48

    client.logout()
    public = json.loads(client.get(reverse("contests:scoreboard_json", args=[rnd.pk])).content)
    assert public["frozen"] and {r["total"] for r in public["rows"]} == {"0.00"}

    client.force_login(organiser)
    live = json.loads(client.get(reverse("contests:scoreboard_json", args=[rnd.pk])).content)
    assert live["rows"][0]["total"] == "63.60"  # 30/30 × 30 + 48/100 × 70
    control(client, rnd, "end")
    control(client, rnd, "reveal")
    assert Round.objects.get(pk=rnd.pk).reveal_cursor == 1
    Track.objects.filter(pk=rnd.track_id).update(award_mode="rank", award_first=1, award_second=0, award_third=0)
    assert client.get(reverse("contests:results", args=[rnd.pk])).status_code == 200
    control(client, rnd, "publish")  # refused: the award preview is not confirmed
    assert Round.objects.get(pk=rnd.pk).status == "ended"
    preview_url = reverse("contests:awards_preview", args=[rnd.pk])
    page = client.get(preview_url).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    client.post(preview_url, {"action": "confirm", "digest": digest})
    client.post(preview_url, {"action": "publish"})
    assert Round.objects.get(pk=rnd.pk).status == "published"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "round.start",
        "round.pause",
        "round.extend_entry",
        "round.reveal",
        "round.awards_confirm",
        "round.publish",
        "score.submit",
    } <= actions

    client.logout()
    results = client.get(reverse("contests:results", args=[rnd.pk])).content.decode()
    assert '<span class="badge badge-ok">一等奖</span>' in results


def test_round_control_confirms_in_the_organisers_language(client, draft_round, organiser, clock):
    """The confirmations are translated per request, not once when the module loads."""
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("contests:control", args=[draft_round.pk]), {"action": "open_lobby"}, follow=True)
    assert "The round is open for joining" in response.content.decode()
