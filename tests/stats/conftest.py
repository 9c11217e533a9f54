"""A small world whose figures are counted by hand (docs/statistics.md, "The test fixture").

Time stands at 2026-05-10. In March 2026:
- 江苏 苏州 (32 / 3205), industry C: learners L1–L6, employer `js`; 浙江 杭州 (33 / 3301), industry I:
  learners Z1, Z2, employer `zj`; U1 has no employer (未知).
- Course A1 (provider A, 三级): L1–L6, Z1, Z2 enrol; course B1 (provider B, no level): U1 and L1.
  → 10 enrolments: 江苏 7, 浙江 2, 未知 1; 三级 8; provider A 8, B 2.
- L1, L2 complete A1 in March (Z1 in April), each credited 8.0 学时; L1 studies 3600 s, L2 1800 s.
- Skill-level certificates 三级 for L1, L2, L3 (and a revoked one for L4, not counted).
- Contest registrations: L1 (registry organisation js), Z1 (declared 33), U1 (declared 44), and a
  withdrawn one (not counted).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from django.utils import timezone

from certificates.models import Certificate
from courses.models import CreditedHours, Enrolment, StudyDay
from organisations.models import Employment, Industry, Organisation, OrganisationKind, Region
from tests.contests.factories import RegistrationFactory, TrackFactory
from tests.factories import CourseFactory, LessonFactory, ProviderFactory, UserFactory

NOW = dt.datetime(2026, 5, 10, 10, 0)
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


def at(day: int, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 9, 0))


@pytest.fixture
def clock():
    with time_machine.travel(timezone.make_aware(NOW), tick=False) as traveller:
        yield traveller


def _organisation(name: str, city: str, industry: str) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.EMPLOYER,
        name=name,
        city=Region.objects.get(code=city),
        industry=Industry.objects.get(code=industry),
    )


def _learner(name: str, organisation: Organisation | None):
    user = UserFactory(username=name, real_name=name)
    type(user).objects.filter(pk=user.pk).update(date_joined=at(1))
    if organisation is not None:
        Employment.objects.create(user=user, organisation=organisation)
    return user


def _enrol(learner, course, *, completed: dt.datetime | None = None) -> Enrolment:
    enrolment = Enrolment.objects.create(learner=learner, course=course)
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=at(2), completed_at=completed)
    if completed:
        CreditedHours.objects.create(
            enrolment=enrolment, learner=learner, course=course, hours=Decimal("8.0"), credited_at=completed
        )
    return enrolment


def _certificate(holder, n: int, *, level: int = 3, status: str = "valid") -> Certificate:
    return Certificate.objects.create(
        kind="skill_level",
        number=f"T-{n}",
        code=f"code{n}",
        holder=holder,
        snapshot={"level": {"value": level, "label": "三级"}},
        status=status,
        revoked_at=at(25) if status == "revoked" else None,
        revoke_reason="测试撤销" if status == "revoked" else "",
        issued_at=at(20),
    )


@pytest.fixture
def stats_world(db, clock):
    js = _organisation("苏州精工机电有限公司", "3205", "38")
    zj = _organisation("杭州云帆软件技术有限公司", "3301", "65")
    provider_a, provider_b = ProviderFactory(name="甲培训中心"), ProviderFactory(name="乙学院")
    a1 = CourseFactory(provider=provider_a, code="A1", title="工业机器人运维", level=3)
    b1 = CourseFactory(provider=provider_b, code="B1", title="安全生产通识", level=0)
    lesson = LessonFactory(course=a1, chapter__course=a1)
    ls = [_learner(f"L{i}", js) for i in range(1, 7)]
    zs = [_learner(f"Z{i}", zj) for i in range(1, 3)]
    u1 = _learner("U1", None)
    for i, learner in enumerate(ls):
        _enrol(learner, a1, completed=at(15) if i < 2 else None)
    _enrol(zs[0], a1, completed=at(3, month=4))
    _enrol(zs[1], a1)
    _enrol(u1, b1)
    _enrol(ls[0], b1)
    StudyDay.objects.create(learner=ls[0], course=a1, lesson=lesson, day=dt.date(2026, 3, 5), seconds=3600)
    StudyDay.objects.create(learner=ls[1], course=a1, lesson=lesson, day=dt.date(2026, 3, 5), seconds=1800)
    for n, learner in enumerate(ls[:3]):
        _certificate(learner, n)
    _certificate(ls[3], 9, status="revoked")
    track = TrackFactory()
    registrations = [
        RegistrationFactory(track=track, user=ls[0], organisation_record=js, province="11"),
        RegistrationFactory(track=track, user=zs[0], province="33"),
        RegistrationFactory(track=track, user=u1, province="44"),
        RegistrationFactory(track=track, user=zs[1], province="33", status="withdrawn", decided_at=at(11)),
    ]
    from contests.models import Registration

    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(submitted_at=at(10))
    return {
        "js": js,
        "zj": zj,
        "provider_a": provider_a,
        "provider_b": provider_b,
        "a1": a1,
        "b1": b1,
        "learners": ls,
        "z": zs,
        "u1": u1,
        "track": track,
    }


@pytest.fixture
def people(stats_world):
    """The viewers: the organiser, staff of provider A, the manager of the 江苏 employer, a learner."""
    from accounts.roles import organiser_group
    from courses.models import ProviderMembership
    from organisations.models import MembershipRole, OrganisationMembership

    organiser = UserFactory(username="stats_organiser")
    organiser.groups.add(organiser_group())
    staff = UserFactory(username="stats_staff_a")
    ProviderMembership.objects.create(provider=stats_world["provider_a"], user=staff)
    manager = UserFactory(username="stats_manager_js")
    OrganisationMembership.objects.create(
        organisation=stats_world["js"], user=manager, role=MembershipRole.TRAINING_MANAGER
    )
    return {"organiser": organiser, "staff": staff, "manager": manager, "learner": stats_world["u1"]}


@pytest.fixture
def refreshed(stats_world):
    from stats.services import stats_refresh

    stats_refresh(months=[MARCH, APRIL, dt.date(2026, 5, 1)])
    return stats_world


@pytest.fixture
def months_enrolled(people, stats_world, clock):
    """The 江苏 employer's workers enrol 2 times in February, 7 in March (the world), 6 in April;
    February to May refreshed. Returns its training manager (a scoped viewer)."""
    from stats.services import stats_refresh

    ls = stats_world["learners"]
    extra = [CourseFactory(provider=stats_world["provider_a"], code=f"X{n}") for n in range(2)]
    for learner, month in [(ls[0], 2), (ls[1], 2)] + [(learner, 4) for learner in ls]:
        enrolment = _enrol(learner, extra[0] if month == 2 else extra[1])
        Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=enrolment.enrolled_at.replace(month=month))
    stats_refresh(months=[dt.date(2026, 2, 1), MARCH, APRIL, dt.date(2026, 5, 1)])
    return people["manager"]
