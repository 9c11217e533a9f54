"""A running round with a theory paper, a practical task and two approved contestants."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from django.utils import timezone

from contests import services
from contests.models import Entry
from courses.models import QuestionKind
from tests.contests.factories import (
    T0,
    ApprovedRegistrationFactory,
    CriterionFactory,
    RoundFactory,
    RoundQuestionFactory,
    TaskFactory,
)
from tests.factories import QuestionFactory, UserFactory


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Board snapshots are cached per round id, and SQLite gives a test's rows the ids of the previous
    test's: each test gets cache keys of its own (a fresh key prefix rather than a clear, which on
    Redis would flush the database under other tests)."""
    default = settings.CACHES["default"]
    prefix = f"{default.get('KEY_PREFIX', '')}-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}


@pytest.fixture
def clock():
    """The clock stands still at T0 (the round's scheduled start); tests move it with clock.move_to()."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def judge(db):
    return UserFactory(username="judge1", real_name="评委甲")


@pytest.fixture
def outsider_judge(db):
    return UserFactory(username="judge9", real_name="其他赛项评委")


@pytest.fixture
def paper(provider_a):
    """single (10), true/false (10), fill with two blanks (10): theory max 30."""
    single = QuestionFactory(provider=provider_a, kind=QuestionKind.SINGLE, explanation="因为A正确")
    tf = QuestionFactory(provider=provider_a, kind=QuestionKind.TRUE_FALSE, options=[], answer=True)
    fill = QuestionFactory(
        provider=provider_a, kind=QuestionKind.FILL, options=[], answer=[["TCP", "传输控制协议"], ["IP"]]
    )
    return [single, tf, fill]


@pytest.fixture
def draft_round(organiser, judge, paper, learner, other_learner):
    rnd = RoundFactory(
        track__contest__organiser=organiser,
        track__theory_weight=Decimal(30),
        track__practical_weight=Decimal(70),
        freeze_minutes=30,
    )
    for i, q in enumerate(paper):
        RoundQuestionFactory(round=rnd, question=q, order=i, score=10)
    task = TaskFactory(round=rnd, title="工控系统加固", max_score=100)
    CriterionFactory(task=task, title="漏洞修复", kind="judgement", max_score=60, spread_threshold=Decimal(10))
    CriterionFactory(task=task, title="响应时间", kind="measurement", max_score=40)
    services.judge_assign(track=rnd.track, judge=judge, by=organiser)
    ApprovedRegistrationFactory(track=rnd.track, user=learner, organisation="甲公司", province="32")
    ApprovedRegistrationFactory(track=rnd.track, user=other_learner, organisation="乙公司", province="44")
    return rnd


@pytest.fixture
def running_round(draft_round, organiser, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    return services.round_start(round=draft_round, by=organiser)


@pytest.fixture
def judges(running_round, organiser, judge):
    """Five judges of the running round's track, `judge` first."""
    panel = [judge] + [UserFactory(username=f"judge{n}") for n in range(2, 6)]
    for j in panel[1:]:
        services.judge_assign(track=running_round.track, judge=j, by=organiser)
    return panel


@pytest.fixture
def four(running_round, organiser, entry, other_entry):
    """Four contestants: 张三 (learner), 李四 (other_learner), 王五, 赵六, in provinces 32, 44, 44, 11."""
    extra = []
    for username, name, org, province in (("w5", "王五", "乙公司", "44"), ("z6", "赵六", "丙公司", "11")):
        registration = services.registration_submit(
            user=UserFactory(username=username, real_name=name),
            track=running_round.track,
            organisation=org,
            province=province,
        )
        services.registration_approve(registration=registration, by=organiser)
        extra.append(Entry.objects.get(registration=registration))
    return [entry, other_entry, *extra]


@pytest.fixture
def entry(running_round, learner):
    return running_round.entries.get(registration__user=learner)


@pytest.fixture
def other_entry(running_round, other_learner):
    return running_round.entries.get(registration__user=other_learner)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture
def live_round(organiser, paper):
    """A round running on the real clock (the servers do not share the test's frozen one)."""
    now = timezone.now()
    rnd = RoundFactory(track__contest__organiser=organiser, starts_at=now, ends_at=now + dt.timedelta(hours=2))
    for i, q in enumerate(paper):
        RoundQuestionFactory(round=rnd, question=q, order=i, score=10)
    return rnd
