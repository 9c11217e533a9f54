"""contests.demo: the national contest for seed_demo, built through the services, and idempotent."""

import pytest

from accounts.demo import Report
from contests import services
from contests.demo import contest_demo_seed
from contests.models import AuditLog, Contest, Registration, Round, RoundQuestion, TrackJudge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Contest, Round, RoundQuestion, Registration, TrackJudge, AuditLog)]


def test_demo_contest_is_complete_and_a_second_run_adds_nothing(organiser, paper):
    for n in range(1, 7):
        UserFactory(username=f"learner{n}", organisation=f"单位{n}", id_number="")
    contest_demo_seed(Report())
    contest = Contest.objects.get(slug="2026-national")
    assert contest.name == "2026年全国工业和信息化技术技能大赛" and contest.get_level_display() == "国家级"
    assert list(contest.tracks.values_list("name", flat=True)) == [
        "工业互联网安全",
        "集成电路开发及应用",
        "人工智能训练师",
    ]
    rnd = Round.objects.get(track__slug="iiot-security")
    assert rnd.round_questions.count() == len(paper) and rnd.tasks.get().criteria.count() == 3
    assert set(rnd.track.judges.values_list("username", flat=True)) == {"judge1", "judge2", "judge3"}
    assert Registration.objects.filter(status="pending").count() == 1
    seated = Round.objects.get(track__slug="ai-trainer")
    assert seated.status == "lobby" and seated.seat_draws.get().is_drawn
    assert sorted(seated.entries.values_list("seat_number", flat=True)) == [1, 2]
    assert not seated.entries.filter(checked_in_at__isnull=True).exists()
    before = counts()
    contest_demo_seed(Report())
    assert counts() == before
    services.round_open_lobby(round=rnd, by=organiser)
    assert services.round_start(round=rnd, by=organiser).entries.count() == 4
