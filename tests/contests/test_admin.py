"""The 技能大赛 admin: organisers only; judge choices go through the audited service; papers lock at start."""

import pytest

from django.urls import reverse

from contests.models import AuditLog, Contest, RoundQuestion, TrackJudge
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMES = ["contest", "track", "round", "roundquestion", "task", "criterion", "auditlog"]


@pytest.mark.parametrize("name", NAMES)
def test_organisers_see_every_contest_admin_list(client, organiser, draft_round, name):
    client.force_login(organiser)
    assert client.get(reverse(f"contests_{name}:index")).status_code == 200


@pytest.mark.parametrize("name", NAMES)
def test_provider_staff_are_turned_away(client, staff_a, draft_round, name):
    client.force_login(staff_a)
    response = client.get(reverse(f"contests_{name}:index"))
    assert response.status_code == 302 and response.url == "/admin/"


def test_audit_log_is_read_only(client, organiser, draft_round):
    client.force_login(organiser)
    entry = AuditLog.objects.first()
    # read-only: refused (Wagtail's redirect, or contests/admin_scope.py's 404: no record to change)
    assert client.get(reverse("contests_auditlog:edit", args=[entry.pk])).status_code in (302, 404)
    assert client.post(reverse("contests_auditlog:delete", args=[entry.pk])).status_code in (302, 404)
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_creating_a_contest_and_assigning_judges_in_the_admin(client, organiser, judge):
    client.force_login(organiser)
    response = client.post(
        reverse("contests_contest:add"),
        {
            "name": "2026年企业技术比武",
            "slug": "bw-2026",
            "level": "enterprise",
            "year": "2026",
            "organiser": organiser.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contest = Contest.objects.get(slug="bw-2026")
    second = UserFactory(username="judge2")
    data = {
        "contest": contest.pk,
        "name": "人工智能训练师",
        "slug": "ai",
        "kind": "individual",
        "team_size_max": "1",
        "sort_order": "0",
        "theory_weight": "40",
        "practical_weight": "60",
        "award_mode": "rank",
        "award_first": "1",
        "award_second": "2",
        "award_third": "3",
        "award_merit": "0",
        "judge_users": [judge.pk, second.pk],
    }
    assert client.post(reverse("contests_track:add"), data).status_code == 302
    track = contest.tracks.get()
    assert set(track.judges.values_list("username", flat=True)) == {"judge1", "judge2"}
    assert AuditLog.objects.filter(action="judge.assign").count() == 2
    data["judge_users"] = [judge.pk]
    data["practical_weight"] = "50"  # 40 + 50 ≠ 100: refused
    assert client.post(reverse("contests_track:edit", args=[track.pk]), data).status_code == 200
    data["practical_weight"] = "60"
    assert client.post(reverse("contests_track:edit", args=[track.pk]), data).status_code == 302
    assert list(TrackJudge.objects.filter(track=track).values_list("judge__username", flat=True)) == ["judge1"]
    assert AuditLog.objects.filter(action="judge.unassign").count() == 1


def test_the_paper_cannot_change_once_the_lobby_is_open(client, organiser, draft_round, provider_a):
    """Adding, changing and removing a paper line: fine in a draft, refused (and audited) from the lobby on."""
    from contests import services

    client.force_login(organiser)
    question = QuestionFactory(provider=provider_a)
    line = draft_round.round_questions.order_by("order").first()
    data = {"round": draft_round.pk, "question": question.pk, "order": "9", "score": "5"}
    assert client.post(reverse("contests_roundquestion:add"), data).status_code == 302
    added = RoundQuestion.objects.get(round=draft_round, question=question)
    assert AuditLog.objects.filter(action="paper.add", object_id=added.pk).exists()
    services.round_open_lobby(round=draft_round, by=organiser)
    before = list(RoundQuestion.objects.order_by("pk").values("pk", "question_id", "order", "score"))

    other = QuestionFactory(provider=provider_a)
    response = client.post(reverse("contests_roundquestion:add"), {**data, "question": other.pk})
    assert response.status_code == 200 and "试卷已定稿" in response.content.decode()
    edit = {"round": draft_round.pk, "question": line.question_id, "order": str(line.order), "score": "99"}
    response = client.post(reverse("contests_roundquestion:edit", args=[line.pk]), edit)
    assert response.status_code == 200 and "试卷已定稿" in response.content.decode()
    response = client.get(reverse("contests_roundquestion:delete", args=[line.pk]), follow=True)
    assert "试卷已定稿" in response.content.decode()
    response = client.post(reverse("contests_roundquestion:delete", args=[line.pk]), follow=True)
    assert response.status_code == 200 and "试卷已定稿" in response.content.decode()

    assert list(RoundQuestion.objects.order_by("pk").values("pk", "question_id", "order", "score")) == before
    refused = AuditLog.objects.filter(action="paper.refused", round=draft_round)
    assert sorted(refused.values_list("data__attempt", flat=True)) == ["add", "change", "remove"]
