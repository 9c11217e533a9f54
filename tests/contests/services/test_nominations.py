"""Qualifier nominations (选拔推荐): declaring a qualifier, quotas across qualifiers, registering with a
nomination, accepting and returning — and the refusals."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests.models import (
    AuditLog,
    Nomination,
    NominationStatus,
    Qualifier,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    TrackEligibility,
)
from contests.services import nominations, registration_approve, registration_bulk
from notifications.models import Notification, NotificationKind
from organisations.models import Organisation, OrganisationKind
from tests.contests.factories import ApprovedRegistrationFactory, TrackFactory
from tests.contests.finals import final_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(db):
    return Organisation.objects.create(kind=OrganisationKind.EMPLOYER, name="中车株洲电力机车有限公司")


@pytest.fixture
def national(organiser):
    return TrackFactory(contest__organiser=organiser, contest__level="national", name="数控车工")


def enterprise_round(organiser, plant, totals, provinces=None):
    track = TrackFactory(
        contest__organiser=organiser, contest__level="enterprise", contest__host_organisation=plant, name="技术比武"
    )
    rows = [
        {"name": f"选手{i}", "total": t, "province": (provinces or ["43"] * len(totals))[i], "org": "中车株洲"}
        for i, t in enumerate(totals)
    ]
    return final_round(organiser=organiser, rows=rows, track=track)


def declare(rnd, target, organiser, scope="organiser", quota=2):
    return nominations.qualifier_declare(
        source_track=rnd.track, target_track_id=target.pk, quota_scope=scope, quota=quota, by=organiser
    )


# ------------------------------------------------------------------ declaring a qualifier


@pytest.mark.parametrize(
    "source_level,target_level,allowed",
    [
        ("enterprise", "national", True),
        ("enterprise", "industry", True),
        ("industry", "national", True),
        ("enterprise", "enterprise", False),
        ("industry", "industry", False),
        ("industry", "enterprise", False),
        ("national", "national", False),
        ("national", "industry", False),
    ],
)
def test_a_qualifier_points_only_to_a_higher_level(organiser, source_level, target_level, allowed):
    source = TrackFactory(contest__organiser=organiser, contest__level=source_level)
    target = TrackFactory(contest__organiser=organiser, contest__level=target_level)
    kwargs = {"source_track": source, "target_track_id": target.pk, "quota_scope": "province", "quota": 3}
    if allowed:
        assert nominations.qualifier_declare(by=organiser, **kwargs).target_track == target
        assert AuditLog.objects.filter(action="qualifier.declare").count() == 1
    else:
        with pytest.raises(ValidationError, match="级别更高"):
            nominations.qualifier_declare(by=organiser, **kwargs)
        assert not Qualifier.objects.exists()


@pytest.mark.parametrize("quota", [0, -1, 1001, "x", None])
def test_a_quota_out_of_range_is_refused(organiser, national, quota):
    source = TrackFactory(contest__organiser=organiser, contest__level="industry")
    with pytest.raises(ValidationError, match="1 至 1000"):
        nominations.qualifier_declare(
            source_track=source, target_track_id=national.pk, quota_scope="province", quota=quota, by=organiser
        )


def test_team_tracks_and_non_organisers_are_refused(organiser, national, learner):
    team = TrackFactory(contest__organiser=organiser, contest__level="industry", kind="team")
    with pytest.raises(ValidationError, match="个人赛"):
        nominations.qualifier_declare(
            source_track=team, target_track_id=national.pk, quota_scope="province", quota=1, by=organiser
        )
    solo = TrackFactory(contest__organiser=organiser, contest__level="industry")
    with pytest.raises(PermissionDenied):
        nominations.qualifier_declare(
            source_track=solo, target_track_id=national.pk, quota_scope="province", quota=1, by=learner
        )
    assert not Qualifier.objects.exists()


# ------------------------------------------------------------------ nominating within the quota


def test_the_top_within_the_quota_are_nominated_and_told(
    organiser, plant, national, django_capture_on_commit_callbacks
):
    rnd, regs = enterprise_round(organiser, plant, [70, 95, 80, 60])
    declare(rnd, national, organiser, quota=2)
    plan = nominations.nomination_plan(round=rnd)
    assert plan.registration_ids == [regs[1].pk, regs[2].pk]
    assert "每个主办单位" in plan.rule
    with django_capture_on_commit_callbacks(execute=True):
        made = nominations.nominations_confirm(round=rnd, registration_ids=plan.registration_ids, by=organiser)
    assert [(n.user_id, n.place, n.quota_group) for n in made] == [
        (regs[1].user_id, 1, f"org:{plant.pk}"),
        (regs[2].user_id, 2, f"org:{plant.pk}"),
    ]
    told = Notification.objects.filter(kind=NotificationKind.NOMINATED)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([regs[1].user_id, regs[2].user_id])
    assert told.first().url.startswith("/contests/nominations/")
    assert nominations.nomination_plan(round=rnd).rows == []  # the quota is used up
    assert AuditLog.objects.filter(action="nomination.create").count() == 2


def test_a_crafted_post_beyond_the_quota_writes_nothing(organiser, plant, national):
    rnd, regs = enterprise_round(organiser, plant, [95, 80, 70])
    declare(rnd, national, organiser, quota=2)
    for ids in ([regs[0].pk, regs[1].pk, regs[2].pk], [regs[2].pk], ["1; DROP"], [10**20], []):
        with pytest.raises(ValidationError):
            nominations.nominations_confirm(round=rnd, registration_ids=ids, by=organiser)
    assert not Nomination.objects.exists()


def test_the_quota_counts_earlier_nominations_of_other_qualifiers_of_the_same_group(organiser, plant, national):
    first, first_regs = enterprise_round(organiser, plant, [90, 80])
    second, second_regs = enterprise_round(organiser, plant, [99, 85])
    declare(first, national, organiser, quota=3)
    declare(second, national, organiser, quota=3)
    nominations.nominations_confirm(round=first, registration_ids=[r.pk for r in first_regs], by=organiser)
    plan = nominations.nomination_plan(round=second)
    assert plan.registration_ids == [second_regs[0].pk]  # one place left for 中车株洲
    with pytest.raises(ValidationError, match="超出推荐名额"):
        nominations.nominations_confirm(round=second, registration_ids=[r.pk for r in second_regs], by=organiser)
    assert Nomination.objects.count() == 2


def test_a_province_quota_is_counted_per_province(organiser, plant, national):
    rnd, regs = enterprise_round(organiser, plant, [90, 80, 70, 60], provinces=["43", "43", "32", "32"])
    declare(rnd, national, organiser, scope="province", quota=1)
    plan = nominations.nomination_plan(round=rnd)
    assert sorted(plan.registration_ids) == sorted([regs[0].pk, regs[2].pk])
    nominations.nominations_confirm(round=rnd, registration_ids=[regs[0].pk], by=organiser)
    assert nominations.nomination_plan(round=rnd).registration_ids == [regs[2].pk]


def test_a_round_without_final_results_or_a_non_qualifier_cannot_nominate(organiser, plant, national):
    rnd, regs = enterprise_round(organiser, plant, [90])
    with pytest.raises(ValidationError, match="不是选拔赛项"):
        nominations.nominations_confirm(round=rnd, registration_ids=[regs[0].pk], by=organiser)
    declare(rnd, national, organiser)
    rnd.status = "published"
    rnd.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="最终成绩"):
        nominations.nominations_confirm(round=rnd, registration_ids=[regs[0].pk], by=organiser)
    assert not Nomination.objects.exists()


# ------------------------------------------------------------------ registering, accepting, returning


@pytest.fixture
def nominated(organiser, plant, national):
    rnd, regs = enterprise_round(organiser, plant, [90, 80])
    declare(rnd, national, organiser, quota=2)
    return nominations.nominations_confirm(round=rnd, registration_ids=[regs[0].pk, regs[1].pk], by=organiser)


def test_the_nominee_registers_with_the_details_of_the_qualifier(nominated, national):
    nomination = nominated[0]
    registration = nominations.nomination_register(nomination=nomination, user=nomination.user)
    assert (registration.track, registration.source, registration.status) == (
        national,
        RegistrationSource.NOMINATED,
        RegistrationStatus.PENDING,
    )
    assert (registration.organisation, registration.province) == ("中车株洲", "43")
    nomination.refresh_from_db()
    assert (nomination.status, nomination.registration) == (NominationStatus.REGISTERED, registration)
    with pytest.raises(ValidationError):
        nominations.nomination_register(nomination=nomination, user=nomination.user)
    assert Registration.objects.filter(track=national).count() == 1


def test_someone_else_cannot_use_a_nomination(nominated, national):
    with pytest.raises(PermissionDenied):
        nominations.nomination_register(nomination=nominated[0], user=nominated[1].user)
    with pytest.raises(PermissionDenied):
        nominations.nomination_for_user(nominated[0].pk, nominated[1].user)
    assert not Registration.objects.filter(track=national).exists()


def test_accept_approves_and_return_rejects_with_the_reason(
    nominated, national, organiser, django_capture_on_commit_callbacks
):
    first, second = nominated
    for n in nominated:
        nominations.nomination_register(nomination=n, user=n.user)
    with django_capture_on_commit_callbacks(execute=True):
        nominations.nomination_accept(nomination=first, track=national, by=organiser)
        nominations.nomination_return(nomination=second, track=national, by=organiser, reason="年龄不符合要求")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.registration.status) == (NominationStatus.ACCEPTED, RegistrationStatus.APPROVED)
    assert (second.status, second.reason) == (NominationStatus.RETURNED, "年龄不符合要求")
    assert (second.registration.status, second.registration.note) == (RegistrationStatus.REJECTED, "年龄不符合要求")
    rejected = Notification.objects.get(recipient=second.user, kind=NotificationKind.REGISTRATION_REJECTED)
    assert "年龄不符合要求" in rejected.body
    with pytest.raises(ValidationError):
        nominations.nomination_accept(nomination=second, track=national, by=organiser)


def test_a_return_needs_a_reason_and_frees_the_quota(nominated, national, organiser):
    with pytest.raises(ValidationError, match="原因"):
        nominations.nomination_return(nomination=nominated[0], track=national, by=organiser, reason="  ")
    nominations.nomination_return(nomination=nominated[0], track=national, by=organiser, reason="名额调整")
    assert nominations.quota_used(national.pk) == {nominated[0].quota_group: 1}


def test_a_nomination_of_another_track_cannot_be_decided_through_this_one(nominated, organiser, national):
    other = TrackFactory(contest__organiser=organiser, contest__level="national")
    nominations.nomination_register(nomination=nominated[0], user=nominated[0].user)
    with pytest.raises(PermissionDenied):
        nominations.nomination_accept(nomination=nominated[0], track=other, by=organiser)
    with pytest.raises(PermissionDenied):
        nominations.nomination_return(nomination=nominated[0], track=other, by=organiser, reason="x")
    nominated[0].refresh_from_db()
    assert nominated[0].status == NominationStatus.REGISTERED


def test_accepting_before_the_nominee_registered_is_refused(nominated, national, organiser):
    with pytest.raises(ValidationError, match="已报名"):
        nominations.nomination_accept(nomination=nominated[0], track=national, by=organiser)


def test_a_nominee_already_registered_on_the_target_is_refused(nominated, national):
    ApprovedRegistrationFactory(track=national, user=nominated[0].user)
    with pytest.raises(ValidationError, match="已报名"):
        nominations.nomination_register(nomination=nominated[0], user=nominated[0].user)


def test_a_nomination_does_not_waive_the_target_tracks_eligibility_rules(nominated, national):
    TrackEligibility.objects.create(track=national, occupations="数控车工")
    nomination = nominated[0]
    with pytest.raises(ValidationError, match="职业（工种）"):
        nominations.nomination_register(nomination=nomination, user=nomination.user)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING
    assert not Registration.objects.filter(track=national).exists()


def test_deciding_the_nominees_registrations_in_bulk_decides_their_nominations(nominated, national, organiser):
    """Approved on the bulk page: accepted (no accept button left on the nominations page); rejected
    there: returned with the reason, which frees the quota."""
    first, second = nominated
    registrations = [nominations.nomination_register(nomination=n, user=n.user) for n in nominated]
    for registration, decision in zip(registrations, ("approve", "reject"), strict=True):
        registration_bulk.registrations_decide(
            track=national, by=organiser, decision=decision, selection=[registration.pk], note="资格审查"
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by, first.registration.status) == (
        NominationStatus.ACCEPTED,
        organiser,
        RegistrationStatus.APPROVED,
    )
    assert (second.status, second.reason, second.registration.status) == (
        NominationStatus.RETURNED,
        "资格审查",
        RegistrationStatus.REJECTED,
    )
    assert nominations.quota_used(national.pk) == {first.quota_group: 1}
    audited = AuditLog.objects.filter(object_type="nomination", data__bulk=True)
    assert sorted(audited.values_list("action", "object_id")) == [
        ("nomination.accept", first.pk),
        ("nomination.return", second.pk),
    ]
    with pytest.raises(ValidationError):  # nothing left to accept
        nominations.nomination_accept(nomination=first, track=national, by=organiser)


def test_approving_a_nominees_registration_one_by_one_accepts_the_nomination(nominated, national, organiser):
    registration = nominations.nomination_register(nomination=nominated[0], user=nominated[0].user)
    registration_approve(registration=registration, by=organiser)
    nominated[0].refresh_from_db()
    assert nominated[0].status == NominationStatus.ACCEPTED
    assert nominated[1].status == NominationStatus.PENDING  # another nomination is untouched
