"""Bulk decisions (services/registration_bulk.py): each row checked again in one transaction, skipped
rows counted by reason, one reason the contestants read, and a number of queries that does not grow
with the rows."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contests.models import AuditLog, Entry, Registration
from contests.services import registration_bulk
from contests.services.registration_bulk import APPROVE, REJECT
from notifications.models import Notification
from tests.contests.eligibility_data import rules
from tests.contests.factories import RegistrationFactory, RoundFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def decide(track, by, decision, selection, note=""):
    return registration_bulk.registrations_decide(track=track, by=by, decision=decision, selection=selection, note=note)


def test_bulk_approval_skips_what_a_single_approval_would_refuse(organiser, django_capture_on_commit_callbacks):
    track, other_track = TrackFactory(), TrackFactory()
    fine = [RegistrationFactory(track=track, occupation="电工") for _ in range(3)]
    decided = RegistrationFactory(track=track, status="rejected", decided_at="2026-01-01T00:00Z")
    foreign = RegistrationFactory(track=other_track)
    young = RegistrationFactory(track=track, occupation="车工")
    rules(track, occupations="电工")
    ids = [*(r.pk for r in fine), decided.pk, foreign.pk, young.pk, 10**9]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = decide(track, organiser, APPROVE, ids, note="资格审查通过")
    assert outcome.done == 3
    assert dict(outcome.reasons()) == {"不属于本赛项或不存在": 2, "状态已不是待审核": 1, "不符合参赛条件": 1}
    assert [s.details for s in outcome.shown() if s.reason == "ineligible"] == [
        ["职业（工种）“车工”不符合条件：本赛项限电工"]
    ]
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in fine] == ["approved"] * 3
    assert statuses[foreign.pk] == "pending" and statuses[young.pk] == "pending"
    assert Registration.objects.get(pk=fine[0].pk).note == "资格审查通过"
    told = Notification.objects.filter(kind="registration_approved")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(r.user_id for r in fine)
    assert "审核意见：资格审查通过" in told.first().body
    assert AuditLog.objects.filter(action="registration.approve", data__bulk=True).count() == 3
    assert AuditLog.objects.get(action="registrations.bulk_approve").data["done"] == 3


def test_a_team_with_an_unanswered_invitation_or_a_taken_person_is_skipped(organiser):
    track = TrackFactory(kind="team")
    waiting = RegistrationFactory(track=track, team_name="甲队")
    waiting.invitations.create(username="nobody")
    shared = UserFactory()
    holder = RegistrationFactory(track=track, team_name="乙队", status="approved", decided_at="2026-01-01T00:00Z")
    holder.team_members.create(user=shared)
    clash = RegistrationFactory(track=track, team_name="丙队")
    clash.team_members.create(user=shared)
    outcome = decide(track, organiser, APPROVE, [waiting.pk, clash.pk])
    assert outcome.done == 0
    assert dict(outcome.reasons()) == {"还有队员未确认邀请": 1, "该选手或其队员已有其他待审核或已通过的报名": 1}


def test_bulk_rejection_tells_the_reason_and_approval_joins_open_rounds(
    organiser, clock, django_capture_on_commit_callbacks
):
    rnd = RoundFactory(status="lobby")
    rows = [RegistrationFactory(track=rnd.track) for _ in range(4)]
    decide(rnd.track, organiser, APPROVE, [rows[0].pk, rows[1].pk])
    assert Entry.objects.filter(round=rnd).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        outcome = decide(rnd.track, organiser, REJECT, [r.pk for r in rows], note="名额已满")
    assert outcome.done == 2 and dict(outcome.reasons()) == {"状态已不是待审核": 2}
    rejected = Notification.objects.get(recipient=rows[3].user, kind="registration_rejected")
    assert "名额已满" in rejected.body
    assert Registration.objects.get(pk=rows[3].pk).note == "名额已满"


def test_a_queryset_selection_is_limited_to_the_track(organiser):
    track, other = TrackFactory(), TrackFactory()
    RegistrationFactory(track=track)
    outsider = RegistrationFactory(track=other)
    outcome = decide(track, organiser, APPROVE, Registration.objects.all())
    assert outcome.done == 1
    assert Registration.objects.get(pk=outsider.pk).status == "pending"


def test_only_organisers_decide_and_nothing_is_half_written(learner, organiser):
    track = TrackFactory()
    row = RegistrationFactory(track=track)
    with pytest.raises(PermissionDenied):
        decide(track, learner, APPROVE, [row.pk])
    with pytest.raises(ValidationError):
        decide(track, organiser, "delete", [row.pk])
    with pytest.raises(ValidationError, match="一次最多处理"):
        decide(track, organiser, APPROVE, range(1, registration_bulk.MAX_ROWS + 2))
    assert Registration.objects.get(pk=row.pk).status == "pending"
    assert not AuditLog.objects.exists()


def _queries(track, organiser, n) -> int:
    users = UserFactory.create_batch(n)
    Registration.objects.bulk_create(
        [Registration(track=track, user=u, organisation="甲公司", province="32", occupation="电工") for u in users]
    )
    ids = list(Registration.objects.filter(track=track, status="pending").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        outcome = decide(track, organiser, APPROVE, ids, note="通过")
    assert outcome.done == n
    return len(queries)


def test_the_number_of_queries_is_bounded_whatever_the_rows(organiser):
    """No query per row: 15 times the rows cost at most the extra batches of the bulk inserts
    (SQLite takes about a hundred audit lines per INSERT)."""
    small, large = TrackFactory(), TrackFactory()
    for track in (small, large):
        rules(track, min_age=None, occupations="电工、钳工")
    few, many = _queries(small, organiser, 20), _queries(large, organiser, 300)
    assert few <= 20 and many <= few + 3
