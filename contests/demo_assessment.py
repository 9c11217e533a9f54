"""Demo of a skill-level assessment (职业技能等级认定, docs/assessment.md) for `seed_demo`, after the
expert pool's demo: the plan 工业机器人系统操作员 四级 of 2026年第一批职业技能等级认定, a draft round
with a theory paper and a practical task, pass marks 60 / 60, assessors from the pool (`judge5` as
考评组长, `judge1` beside), and two candidates. Keyed on slugs, so a second run adds nothing.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.demo import ORGANISER, Report

from . import services
from .demo import _paper_questions, contest_ensure, track_ensure
from .models import ContestLevel, Criterion, Registration, Round, RoundQuestion, RoundStage, Task, Track

CONTEST = ("2026-assessment-1", "2026年第一批职业技能等级认定")
TRACK = ("robot-operator-4", "工业机器人系统操作员（四级）", "工业机器人系统操作员", 4)
ASSESSORS = ("judge5", "judge1")  # the first is the 考评组长
CANDIDATES = ("learner5", "learner6")
CRITERIA = [("工作站编程与示教", "judgement", 60), ("节拍与定位精度达标", "measurement", 40)]


def _round_ensure(track: Track, report: Report) -> Round:
    rnd = Round.objects.filter(track=track).first()
    if rnd is not None:
        return rnd
    day = timezone.localdate() + dt.timedelta(days=2)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    rnd = Round.objects.create(
        track=track,
        stage=RoundStage.FINAL,
        title="理论知识与操作技能考核",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=120),
        practical_live=False,
        review_window_hours=72,
    )
    for order, question in enumerate(_paper_questions(["robotics", "iiot"], set()), start=1):
        RoundQuestion.objects.create(round=rnd, question=question, order=order, score=Decimal(10))
    task = Task.objects.create(round=rnd, title="工业机器人工作站搬运码垛编程", max_score=Decimal(100))
    for order, (title, kind, max_score) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(task=task, title=title, kind=kind, max_score=Decimal(max_score), order=order)
    report.add("认定场次")
    return rnd


@transaction.atomic
def assessment_demo_seed(report: Report) -> Track:
    from experts import services as expert_services  # experts builds on contests
    from experts.models import Expert

    User = get_user_model()
    organiser = User.objects.get(username=ORGANISER[0])
    slug, name = CONTEST
    contest = contest_ensure(
        slug,
        {
            "name": name,
            "level": ContestLevel.INDUSTRY,
            "year": 2026,
            "organiser": organiser,
            "description": "按职业技能等级认定标准组织理论知识考试和操作技能考核，两部分均达到60分为合格，"
            "合格人员颁发职业技能等级证书。",
        },
        report,
        "认定计划",
    )
    track_slug, track_name, occupation, level = TRACK
    track, _created = track_ensure(
        contest,
        track_slug,
        {
            "name": track_name,
            "purpose": "assessment",
            "occupation": occupation,
            "skill_level": level,
            "theory_pass_mark": Decimal(60),
            "practical_pass_mark": Decimal(60),
        },
        report,
        "认定职业（工种）",
    )
    _round_ensure(track, report)
    for username in CANDIDATES:
        learner = User.objects.filter(username=username).first()
        if learner is None or Registration.objects.filter(track=track, user=learner).exists():
            continue
        registration = services.registration_submit(
            user=learner,
            track=track,
            organisation=learner.organisation or "未填写单位",
            province=(learner.id_number or "11")[:2],
        )
        services.registration_approve(registration=registration, by=organiser)
        report.add("认定报名")
    pool = {e.user.username: e for e in Expert.objects.filter(user__username__in=ASSESSORS).select_related("user")}
    for username in ASSESSORS:
        if username not in pool:
            continue
        try:
            expert_services.pool_assign(track=track, expert=pool[username], by=organiser)
        except ValidationError:  # 回避: the demo's people may share a unit with a candidate
            continue
    chief = next((pool[n].user for n in ASSESSORS if n in pool and track.track_judges.filter(judge=pool[n].user)), None)
    if chief is not None and not track.track_judges.filter(is_chief=True).exists():
        expert_services.chief_judge_set(track=track, judge=chief, by=organiser)
    return track
