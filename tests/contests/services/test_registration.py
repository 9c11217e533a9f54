"""Registration: submitting for a track alone or as a team, and the organiser's decision."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import services
from contests.models import Entry, TeamMember, TrackKind
from tests.contests.factories import RegistrationFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_learner_registers_and_organiser_approves_into_an_open_round(draft_round, organiser, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    newcomer = UserFactory(username="newcomer")
    registration = services.registration_submit(
        user=newcomer, track=draft_round.track, organisation="丙公司", province="11"
    )
    assert registration.status == "pending"
    assert not Entry.objects.filter(registration=registration).exists()
    services.registration_approve(registration=registration, by=organiser)
    entry = Entry.objects.get(registration=registration, round=draft_round)
    assert entry.board_row.province == "11" and entry.board_row.name == newcomer.display_name


def test_registration_needs_a_valid_province_and_no_second_registration(draft_round, learner):
    with pytest.raises(ValidationError):
        services.registration_submit(user=UserFactory(), track=draft_round.track, organisation="x", province="99")
    with pytest.raises(ValidationError):
        services.registration_submit(user=learner, track=draft_round.track, organisation="甲公司", province="32")


def test_team_registration_lists_members_and_blocks_them_elsewhere_on_the_track(db):
    track = TrackFactory(kind=TrackKind.TEAM, team_size_max=3)
    leader, mate = UserFactory(), UserFactory()
    registration = services.registration_submit(
        user=leader, track=track, organisation="甲公司", province="32", team_name="精工队", members=[mate]
    )
    assert set(TeamMember.objects.filter(registration=registration).values_list("user_id", "is_leader")) == {
        (leader.pk, True),
        (mate.pk, False),
    }
    with pytest.raises(ValidationError):
        services.registration_submit(user=mate, track=track, organisation="甲公司", province="32", team_name="二队")
    with pytest.raises(ValidationError):
        services.registration_submit(
            user=UserFactory(),
            track=track,
            organisation="x",
            province="32",
            team_name="大队",
            members=UserFactory.create_batch(3),
        )


def test_only_organisers_approve_reject_and_assign_judges(draft_round, learner, judge):
    registration = RegistrationFactory(track=draft_round.track, user=UserFactory())
    for call in (
        lambda: services.registration_approve(registration=registration, by=learner),
        lambda: services.registration_reject(registration=registration, by=judge),
        lambda: services.judge_assign(track=draft_round.track, judge=learner, by=judge),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_a_contestant_who_competed_cannot_be_rejected(entry, organiser):
    with pytest.raises(ValidationError):
        services.registration_reject(registration=entry.registration, by=organiser)
