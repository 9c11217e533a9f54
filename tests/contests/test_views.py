"""The contest pages as organiser, judge, learner and anonymous visitor see them."""

import json

import pytest

from django.urls import reverse

from contests import services
from contests.models import AuditLog, JudgeScore, Registration, Round, ScoreboardRow, Track
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, right, theory_answer_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def control(client, rnd, action, **data):
    return client.post(reverse("contests:control", args=[rnd.pk]), {"action": action, **data})


def test_anyone_sees_the_contest_and_its_tracks(client, draft_round):
    contest = draft_round.track.contest
    assert contest.name in client.get(reverse("contests:list")).content.decode()
    body = client.get(reverse("contests:detail", args=[contest.slug])).content.decode()
    assert draft_round.track.name in body and "登录后报名" in body


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


@pytest.mark.parametrize("name", ["console", "control", "registrations"])
def test_organiser_pages_are_closed_to_everyone_else(client, draft_round, learner, judge, name):
    arg = draft_round.track_id if name == "registrations" else draft_round.pk
    url = reverse(f"contests:{name}", args=[arg])
    assert client.get(url).status_code == 302  # to the login page
    for user in (learner, judge):
        client.force_login(user)
        assert (client.post(url, {"action": "start"}) if name == "control" else client.get(url)).status_code == 403
    assert Round.objects.get(pk=draft_round.pk).status == "draft"


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
    console = client.get(reverse("contests:console", args=[rnd.pk])).content.decode()
    assert "请检查网络连接" in console and "进行中" in console
    assert Round.objects.get(pk=rnd.pk).deadline(T0 + minutes(5)) == T0 + minutes(98)

    clock.move_to(T0 + minutes(70))  # frozen for the public from 68 minutes
    for q in paper:
        theory_answer_save(entry=entry, question_id=q.pk, client_id=cid(), answer=right(q))
    criterion = rnd.tasks.get().criteria.get(kind="judgement")
    client.force_login(judge)
    judge_url = reverse("contests:judge", args=[rnd.pk])
    assert "漏洞修复" in client.get(judge_url + f"?entry={entry.pk}").content.decode()
    client.post(judge_url, {"entry": entry.pk, "criterion": criterion.pk, "value": "48", "action": "submit_confirm"})
    assert JudgeScore.objects.get(entry=entry).confirmed
    assert ScoreboardRow.objects.get(entry=entry).practical_score == 48

    client.logout()
    public = json.loads(client.get(reverse("contests:board_json", args=[rnd.pk])).content)
    assert public["frozen"] and {r["total"] for r in public["rows"]} == {"0.00"}

    client.force_login(organiser)
    live = json.loads(client.get(reverse("contests:board_json", args=[rnd.pk])).content)
    assert live["rows"][0]["total"] == "63.60"  # 30/30 × 30 + 48/100 × 70
    control(client, rnd, "end")
    control(client, rnd, "reveal")
    assert Round.objects.get(pk=rnd.pk).reveal_cursor == 1
    Track.objects.filter(pk=rnd.track_id).update(award_mode="rank", award_first=1, award_second=0, award_third=0)
    assert client.get(reverse("contests:results", args=[rnd.pk])).status_code == 200
    control(client, rnd, "publish")
    assert Round.objects.get(pk=rnd.pk).status == "published"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "round.start",
        "round.pause",
        "round.extend_entry",
        "round.reveal",
        "round.publish",
        "score.submit",
    } <= actions

    client.logout()
    results = client.get(reverse("contests:results", args=[rnd.pk])).content.decode()
    assert '<span class="badge badge-ok">一等奖</span>' in results


def test_results_stay_hidden_until_published(client, running_round, organiser):
    services.round_end(round=running_round, by=organiser)
    assert client.get(reverse("contests:results", args=[running_round.pk])).status_code == 404
    client.force_login(organiser)
    assert "未公布" in client.get(reverse("contests:results", args=[running_round.pk])).content.decode()


def test_a_judge_of_another_track_cannot_open_or_post_the_judge_console(client, running_round, entry, outsider_judge):
    client.force_login(outsider_judge)
    url = reverse("contests:judge", args=[running_round.pk])
    assert client.get(url).status_code == 403
    criterion = running_round.tasks.get().criteria.first()
    assert (
        client.post(url, {"entry": entry.pk, "criterion": criterion.pk, "value": "1", "action": "submit"}).status_code
        == 403
    )
    assert not JudgeScore.objects.exists()


def test_board_json_resumes_from_a_sequence_number(client, running_round, entry, paper):
    snapshot = json.loads(client.get(reverse("contests:board_json", args=[running_round.pk])).content)
    theory_answer_save(entry=entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    feed = client.get(reverse("contests:board_json", args=[running_round.pk]) + f"?since={snapshot['seq']}").json()
    assert [e["seq"] for e in feed["events"]] == [snapshot["seq"] + 1]
    assert feed["events"][0]["payload"]["total"] == "10.00"
    too_far = client.get(reverse("contests:board_json", args=[running_round.pk]) + "?since=9999").json()
    assert "rows" in too_far


def test_board_page_filters_by_province(client, running_round, entry, other_entry):
    body = client.get(reverse("contests:board", args=[running_round.pk]) + "?province=44").content.decode()
    assert "李四" in body and "张三" not in body
