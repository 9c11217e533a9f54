"""Two enterprises' 技术比武 for the tests of contests.enterprise and the scope of who runs a contest:
employer A's (run by manager_a) and employer B's (run by manager_b), each with a practical track, a
draft round with a task and a criterion, and one approved worker. Built through the services where a
rule is at stake (registration, approval, judges)."""

import datetime as dt
from decimal import Decimal

from contests import services
from contests.models import Contest, ContestLevel, Track
from experts.models import Expert
from tests.contests.factories import CriterionFactory, RoundFactory, TaskFactory
from tests.factories import UserFactory
from training.models import RosterEntry, RosterStatus

T0 = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)


def worker_of(organisation, username: str, *, status: str = RosterStatus.ACTIVE):
    user = UserFactory(username=username, real_name=f"职工{username}")
    RosterEntry.objects.create(organisation=organisation, user=user, name=user.real_name, status=status)
    return user


def enterprise_contest(organisation, manager, *, slug: str) -> dict:
    contest = Contest.objects.create(
        name=f"{organisation.name}技术比武",
        slug=slug,
        level=ContestLevel.ENTERPRISE,
        host_organisation=organisation,
        year=2026,
        organiser=manager,
    )
    track = Track.objects.create(
        contest=contest, name="电工", slug="electrician", theory_weight=Decimal(0), practical_weight=Decimal(100)
    )
    rnd = RoundFactory(track=track, has_theory=False, starts_at=T0, freeze_minutes=0)
    task = TaskFactory(round=rnd, title="配电柜故障排除", max_score=100)
    CriterionFactory(task=task, title="排除方法", kind="judgement", max_score=100)
    worker = worker_of(organisation, f"{slug}-w1")
    registration = services.registration_submit(user=worker, track=track, organisation=organisation.name, province="32")
    services.registration_approve(registration=registration, by=manager)
    return {
        "contest": contest,
        "track": track,
        "round": rnd,
        "task": task,
        "worker": worker,
        "registration": registration,
    }


def pool_expert(username: str = "expert1"):
    user = UserFactory(username=username, real_name="专家甲")
    Expert.objects.create(user=user, name=user.real_name, province_id=None)
    return user


def two_enterprises(*, employer_a, employer_b, manager_a, manager_b) -> dict:
    return {
        "a": enterprise_contest(employer_a, manager_a, slug="bw-a"),
        "b": enterprise_contest(employer_b, manager_b, slug="bw-b"),
    }
