"""Enterprise 技术比武 (contests.enterprise, contests.permissions): who runs which contest, who may enter,
who may judge. Every refusal leaves nothing written."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import services
from contests.models import AuditLog, ContestLevel, Registration, RoundStatus, TrackJudge, TrackKind
from contests.permissions import can_manage_contest, can_manage_track, contests_managed_by, may_run_contests
from experts import services as expert_services
from experts.models import Expert
from tests.contests.enterprise_world import pool_expert, two_enterprises, worker_of
from tests.contests.factories import RoundFactory, TrackFactory
from tests.factories import UserFactory
from training.models import RosterEntry, RosterStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(employer_a, employer_b, manager_a, manager_b):
    return two_enterprises(employer_a=employer_a, employer_b=employer_b, manager_a=manager_a, manager_b=manager_b)


@pytest.fixture
def national(organiser):
    return RoundFactory(track__contest__organiser=organiser, track__contest__level=ContestLevel.NATIONAL)


def test_each_manager_runs_only_their_organisations_contests_and_organisers_run_all(
    world, national, organiser, manager_a, manager_b, learner
):
    a, b = world["a"]["contest"], world["b"]["contest"]
    assert can_manage_contest(manager_a, a) and not can_manage_contest(manager_a, b)
    assert can_manage_contest(manager_b, b) and not can_manage_contest(manager_b, a)
    assert not can_manage_contest(manager_a, national.track.contest)
    assert all(can_manage_contest(organiser, c) for c in (a, b, national.track.contest))
    assert list(contests_managed_by(manager_a)) == [a]
    assert set(contests_managed_by(organiser)) == {a, b, national.track.contest}
    assert not can_manage_track(manager_b, world["a"]["track"].pk)
    # a plain user, and a user with no organisation at all, run nothing
    for nobody in (learner, UserFactory(username="no_org")):
        assert not may_run_contests(nobody) and not contests_managed_by(nobody).exists()
        assert not can_manage_contest(nobody, a)


def test_a_manager_cannot_run_another_enterprises_round_or_a_national_one(world, national, manager_a, manager_b):
    rnd = world["a"]["round"]
    before = AuditLog.objects.count()
    for by, target in ((manager_b, rnd), (manager_a, national)):
        with pytest.raises(PermissionDenied):
            services.round_open_lobby(round=target, by=by)
        with pytest.raises(PermissionDenied):
            services.round_announce(round=target, by=by, text="公告")
    assert AuditLog.objects.count() == before
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.DRAFT
    assert services.round_open_lobby(round=rnd, by=manager_a).status == RoundStatus.LOBBY


def test_registrations_are_decided_only_by_the_contests_manager(world, manager_a, manager_b, employer_a):
    track = world["a"]["track"]
    worker = worker_of(employer_a, "jg-new")
    registration = services.registration_submit(user=worker, track=track, organisation="甲", province="32")
    with pytest.raises(PermissionDenied):
        services.registration_approve(registration=registration, by=manager_b)
    with pytest.raises(PermissionDenied):
        services.registration_reject(registration=registration, by=manager_b)
    registration.refresh_from_db()
    assert registration.status == "pending"
    assert services.registration_approve(registration=registration, by=manager_a).status == "approved"


def test_only_workers_on_the_hosts_roster_may_register(world, employer_a, employer_b, learner):
    track = world["a"]["track"]
    other_worker = worker_of(employer_b, "wx-other")
    left = worker_of(employer_a, "jg-left", status=RosterStatus.LEFT)
    invited = UserFactory(username="jg-invited")
    RosterEntry.objects.create(organisation=employer_a, user=invited, name="受邀", status=RosterStatus.INVITED)
    for person in (other_worker, left, invited, learner):
        with pytest.raises(ValidationError, match="在册职工"):
            services.registration_submit(user=person, track=track, organisation="甲", province="32")
    assert not Registration.objects.filter(track=track, user__in=[other_worker, left, invited, learner]).exists()
    # The declared employer grants nothing: a learner who names employer A is still not a worker.
    learner.organisation = employer_a.name
    learner.save()
    with pytest.raises(ValidationError):
        services.registration_submit(user=learner, track=track, organisation=employer_a.name, province="32")


def test_a_team_member_from_another_organisation_cannot_join_and_a_worker_who_left_is_not_approved(
    world, employer_a, employer_b, manager_a
):
    contest = world["a"]["contest"]
    team_track = TrackFactory(contest=contest, kind=TrackKind.TEAM, team_size_max=3)
    leader, mate = worker_of(employer_a, "jg-lead"), worker_of(employer_a, "jg-mate")
    outsider = worker_of(employer_b, "wx-mate")
    registration = services.registration_submit(
        user=leader,
        track=team_track,
        organisation="甲",
        province="32",
        team_name="甲队",
        invitees=["wx-mate", "jg-mate"],
    )
    with pytest.raises(ValidationError, match="在册职工"):
        services.invitation_accept(invitation=registration.invitations.get(user=outsider), user=outsider)
    assert not registration.team_members.filter(user=outsider).exists()
    services.invitation_accept(invitation=registration.invitations.get(user=mate), user=mate)
    services.invitation_decline(invitation=registration.invitations.get(user=outsider), user=outsider)
    RosterEntry.objects.filter(user=mate).update(status=RosterStatus.LEFT)  # the mate leaves the company
    with pytest.raises(ValidationError, match="在册职工"):
        services.registration_approve(registration=registration, by=manager_a)
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_an_organisers_enterprise_contest_without_a_host_stays_open_to_all(organiser, learner):
    rnd = RoundFactory(track__contest__organiser=organiser, track__contest__level=ContestLevel.ENTERPRISE)
    registration = services.registration_submit(user=learner, track=rnd.track, organisation="乙", province="32")
    assert registration.pk


def test_the_manager_picks_judges_from_their_staff_or_the_pool_with_recusal(world, employer_a, manager_a, manager_b):
    track = world["a"]["track"]
    stranger = UserFactory(username="stranger")
    with pytest.raises(ValidationError, match="专家库"):
        services.judge_assign(track=track, judge=stranger, by=manager_a)
    with pytest.raises(PermissionDenied):
        services.judge_assign(track=track, judge=pool_expert("expert9"), by=manager_b)
    expert = pool_expert("expert1")
    services.judge_assign(track=track, judge=expert, by=manager_a)
    assert TrackJudge.objects.filter(track=track, judge=expert).exists()
    # through the pool's page service too, and the chief judge; another manager is refused
    second = pool_expert("expert2")
    expert_services.pool_assign(track=track, expert=Expert.objects.get(user=second), by=manager_a)
    expert_services.chief_judge_set(track=track, judge=second, by=manager_a)
    with pytest.raises(PermissionDenied):
        expert_services.chief_judge_clear(track=track, by=manager_b)
    # A worker of the host: staff, but the track's contestant is a colleague (same-unit recusal keys
    # on the declared employer, which this worker has not declared), so allowed here.
    colleague = worker_of(employer_a, "jg-judge")
    services.judge_assign(track=track, judge=colleague, by=manager_a)
    assert not TrackJudge.objects.filter(track=track, judge=stranger).exists()


def test_the_contestant_cannot_be_made_a_judge_of_their_own_track(world, manager_a):
    track, worker = world["a"]["track"], world["a"]["worker"]
    with pytest.raises(ValidationError):
        services.judge_assign(track=track, judge=worker, by=manager_a)


def test_bulk_approval_by_the_manager_skips_anyone_not_on_the_hosts_roster(world, manager_a, manager_b, employer_a):
    from contests.services.registration_bulk import registrations_decide

    track = world["a"]["track"]
    worker = worker_of(employer_a, "jg-bulk")
    mine = services.registration_submit(user=worker, track=track, organisation="甲", province="32")
    # a registration that got in around the form (e.g. an old row, or a worker who has since left)
    stranger = Registration.objects.create(
        track=track, user=UserFactory(username="outsider"), organisation="外", province="32"
    )
    with pytest.raises(PermissionDenied):
        registrations_decide(track=track, by=manager_b, decision="approve", selection=[mine.pk, stranger.pk])
    outcome = registrations_decide(track=track, by=manager_a, decision="approve", selection=[mine.pk, stranger.pk])
    assert [s.registration_id for s in outcome.skipped] == [stranger.pk]
    assert outcome.skipped[0].reason == "not_worker"
    mine.refresh_from_db()
    stranger.refresh_from_db()
    assert (mine.status, stranger.status) == ("approved", "pending")
