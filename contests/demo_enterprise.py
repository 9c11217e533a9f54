"""Enterprise 技术比武 demo for `seed_demo`: 精工智能 runs its own contest.

Its 企业培训管理员 (qiye_hr) is the contest's organiser; the contest is enterprise-level with 精工智能
as its host, so only its workers on the roster enter and only qiye_hr (and site organisers) run it.
One practical track with a round tomorrow morning, two judges from the expert pool (the recusal rules
apply: a judge who must recuse is skipped), workers registered through the services and approved by
qiye_hr. Runs after training_demo_seed (the roster) and experts_demo_seed (the pool). Keyed on the
contest's slug and the users: a second run creates nothing.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.demo import Report
from experts import services as expert_services
from experts.models import Expert
from organisations.demo import DEMO_PASSWORD
from organisations.models import MembershipRole, OrganisationMembership
from training.models import RosterEntry, RosterStatus

from . import services
from .demo import contest_ensure, track_ensure
from .models import Contest, ContestLevel, Criterion, Registration, Round, RoundStage, Task, Track

SLUG = "jg-2026-jishu-biwu"
NAME = "精工智能2026年职工技术比武"
HOST = "苏州精工智能装备有限公司"
TRACK = ("robot-ops", "工业机器人系统运维员")
TASK = "六轴机器人故障诊断与排除"
CRITERIA = [("故障定位准确性", "judgement", 50), ("排除方法规范性", "judgement", 30), ("安全操作", "measurement", 20)]
WORKERS = ["jg01", "jg04", "jg05", "jg06", "jg09", "qiye_worker"]  # those on the roster (在册) register
APPROVED = 4  # the first four are approved by the manager, the others wait
JUDGES_MAX = 2


@transaction.atomic
def enterprise_contest_demo_seed(report: Report) -> Contest | None:
    membership = (
        OrganisationMembership.objects.select_related("organisation", "user")
        .filter(organisation__name=HOST, role=MembershipRole.TRAINING_MANAGER)
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    host, manager = membership.organisation, membership.user
    contest = contest_ensure(
        SLUG,
        {
            "name": NAME,
            "level": ContestLevel.ENTERPRISE,
            "host_organisation": host,
            "year": 2026,
            "organiser": manager,
            "description": "精工智能面向在册职工举办的技术比武，以实操比赛为主，由企业培训管理员组织。",
        },
        report,
        "技术比武",
    )
    track, created = track_ensure(
        contest,
        TRACK[0],
        {"name": TRACK[1], "theory_weight": 0, "practical_weight": 100, "award_mode": "rank"},
        report,
    )
    if created:
        _round_create(track)
    _judges_ensure(track, manager)
    _registrations_ensure(track, host, manager, report)
    report.credentials.append(
        ("技术比武主办 · 精工智能培训管理员（管理后台 → 技术比武）", manager.username, DEMO_PASSWORD)
    )
    return contest


def _round_create(track: Track) -> Round:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(14, 0)))
    rnd = Round.objects.create(
        track=track,
        stage=RoundStage.FINAL,
        title=f"{track.name} 决赛",
        has_theory=False,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=120),
        freeze_minutes=0,
    )
    task = Task.objects.create(round=rnd, title=TASK, max_score=Decimal(100))
    for order, (title, kind, max_score) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(task=task, title=title, kind=kind, max_score=Decimal(max_score), order=order)
    return rnd


def _judges_ensure(track: Track, manager) -> None:
    if track.track_judges.exists():
        return
    assigned = []
    for expert in Expert.objects.filter(is_active=True, user__isnull=False).order_by("pk"):
        try:
            with transaction.atomic():
                expert_services.pool_assign(track=track, expert=expert, by=manager)
        except ValidationError:  # 回避: skipped, as the manager's page would show
            continue
        assigned.append(expert.user)
        if len(assigned) == JUDGES_MAX:
            break
    if assigned:
        expert_services.chief_judge_set(track=track, judge=assigned[0], by=manager)


def _registrations_ensure(track: Track, host, manager, report: Report) -> None:
    on_roster = {
        entry.user.username: entry.user
        for entry in RosterEntry.objects.select_related("user").filter(
            organisation=host, status=RosterStatus.ACTIVE, user__username__in=WORKERS
        )
    }
    for index, username in enumerate(u for u in WORKERS if u in on_roster):
        worker = on_roster[username]
        if Registration.objects.filter(track=track, user=worker).exists():
            continue
        registration = services.registration_submit(user=worker, track=track, organisation=host.name, province="32")
        report.add("技术比武报名")
        if index < APPROVED:
            services.registration_approve(registration=registration, by=manager)
