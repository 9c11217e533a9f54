"""contests.demo_assessment: the 职业技能等级认定 plan for seed_demo, its assessors from the pool, idempotent."""

import pytest

from accounts.demo import Report
from contests.demo_assessment import assessment_demo_seed
from contests.models import Registration, Round, RoundQuestion, TrackJudge
from experts.models import Expert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Round, RoundQuestion, Registration, TrackJudge)]


def test_the_assessment_plan_is_complete_and_a_second_run_adds_nothing(organiser, paper):
    for n in (5, 6):
        UserFactory(username=f"learner{n}", organisation=f"单位{n}", id_number="")
    for username, name in (("judge5", "陈思远"), ("judge1", "周建华")):
        Expert.objects.create(
            name=name, user=UserFactory(username=username, real_name=name), phone=f"139000000{len(name)}{username[-1]}"
        )
    track = assessment_demo_seed(Report())
    assert (track.is_assessment, track.occupation, track.get_skill_level_display()) == (
        True,
        "工业机器人系统操作员",
        "四级/中级工",
    )
    assert (track.theory_pass_mark, track.practical_pass_mark) == (60, 60)
    rnd = Round.objects.get(track=track)
    assert rnd.status == "draft" and rnd.round_questions.count() == len(paper) and rnd.tasks.get().criteria.count() == 2
    assert track.registrations.filter(status="approved").count() == 2
    assert TrackJudge.objects.get(track=track, is_chief=True).judge.username == "judge5"
    assert set(track.judges.values_list("username", flat=True)) == {"judge5", "judge1"}
    before = counts()
    assessment_demo_seed(Report())
    assert counts() == before
