"""A contest round with final results (or provisional ones, 成绩公示中), built through the contests models."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from contests.models import Entry, RoundStatus, ScoreboardRow, TeamMember
from tests.contests.factories import ApprovedRegistrationFactory, RoundFactory
from tests.factories import UserFactory

NAMES = ["司马明", "欧阳娜", "王建国", "李秀英", "赵一鸣"]


def published_round(*, organiser, team: bool = False, status: str = RoundStatus.FINAL):
    """Five entrants with totals 95 … 55; bands by place: one each of 一等奖 … 优秀奖, the fifth gets none.
    The results are final (what certificates are issued from) unless `status` says otherwise."""
    rnd = RoundFactory(
        track__contest__organiser=organiser,
        track__contest__name="2026年全国工业和信息化技术技能大赛",
        track__name="工业互联网安全",
        track__award_mode="rank",
        track__award_first=1,
        track__award_second=1,
        track__award_third=1,
        track__award_merit=1,
        track__kind="team" if team else "individual",
        title="决赛",
    )
    start = timezone.now() - dt.timedelta(hours=3)
    for i, name in enumerate(NAMES):
        user = UserFactory(username=f"contestant{i}", real_name=name)
        registration = ApprovedRegistrationFactory(track=rnd.track, user=user, team_name=f"第{i + 1}队" if team else "")
        if team:
            TeamMember.objects.create(registration=registration, user=user, is_leader=True)
            mate = UserFactory(username=f"mate{i}", real_name=f"{name}的队友")
            TeamMember.objects.create(registration=registration, user=mate)
        entry = Entry.objects.create(round=rnd, registration=registration)
        ScoreboardRow.objects.create(
            round=rnd,
            entry=entry,
            name=name,
            total=Decimal(95 - 10 * i),
            reached_at=start + dt.timedelta(minutes=i),
        )
    rnd.status = status
    rnd.ended_at = rnd.published_at = timezone.now()
    rnd.save()
    return rnd


def assessment_round(*, organiser, status: str = RoundStatus.FINAL):
    """A skill-level assessment (职业技能等级认定, 工业互联网安全运维员 三级) with one theory part out of 100
    and a pass mark of 60: the five candidates sat it with 95 … 55, so the first four pass and 赵一鸣
    (55) fails. The results are final unless `status` says otherwise."""
    rnd = RoundFactory(
        track__contest__organiser=organiser,
        track__contest__name="2026年第一批职业技能等级认定",
        track__name="工业互联网安全运维员",
        track__purpose="assessment",
        track__occupation="工业互联网安全运维员",
        track__skill_level=3,
        track__theory_pass_mark=Decimal(60),
        has_practical=False,
        theory_max=Decimal(100),
        title="理论知识考试",
    )
    start = timezone.now() - dt.timedelta(hours=3)
    for i, name in enumerate(NAMES):
        user = UserFactory(username=f"candidate{i}", real_name=name)
        registration = ApprovedRegistrationFactory(track=rnd.track, user=user)
        entry = Entry.objects.create(round=rnd, registration=registration, joined_at=start)
        ScoreboardRow.objects.create(
            round=rnd, entry=entry, name=name, theory_score=Decimal(95 - 10 * i), reached_at=start
        )
    rnd.status = status
    rnd.ended_at = rnd.published_at = timezone.now()
    rnd.save()
    return rnd
