"""Registration: submitting for a track alone or as a team, and the organiser's decision."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import services
from contests.models import Entry, Registration, TrackKind
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


def _team(leader, track, *names, team_name="精工队"):
    return services.registration_submit(
        user=leader, track=track, organisation="甲公司", province="32", team_name=team_name, invitees=list(names)
    )


def test_a_team_counts_a_member_only_after_the_member_accepts(db):
    track = TrackFactory(kind=TrackKind.TEAM, team_size_max=3)
    leader, mate = UserFactory(), UserFactory(username="mate")
    registration = _team(leader, track, "mate")
    assert list(registration.team_members.values_list("user_id", "is_leader")) == [(leader.pk, True)]
    invitation = registration.invitations.get()
    assert (invitation.user, invitation.status) == (mate, "pending")

    services.invitation_accept(invitation=invitation, user=mate)

    assert set(registration.team_members.values_list("user_id", "is_leader")) == {(leader.pk, True), (mate.pk, False)}
    with pytest.raises(ValidationError):  # now on the team: no registration of their own on the track
        services.registration_submit(user=mate, track=track, organisation="甲公司", province="32", team_name="二队")


def test_nobody_else_can_answer_an_invitation(db):
    track = TrackFactory(kind=TrackKind.TEAM)
    registration = _team(UserFactory(), track, "mate")
    UserFactory(username="mate")
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=registration.invitations.get(), user=stranger)
    assert registration.team_members.count() == 1


def test_a_declined_invitation_adds_nobody_and_leaves_the_person_free(db):
    track = TrackFactory(kind=TrackKind.TEAM)
    mate = UserFactory(username="mate")
    registration = _team(UserFactory(), track, "mate")

    services.invitation_decline(invitation=registration.invitations.get(), user=mate)

    assert registration.team_members.count() == 1
    own = _team(mate, track, team_name="自己的队")
    assert own.status == "pending"


def test_inviting_reveals_nothing_about_user_names(db):
    """Existing, unknown and already-registered names are all just invited; nothing is refused."""
    track = TrackFactory(kind=TrackKind.TEAM, team_size_max=4)
    busy = UserFactory(username="busy")
    _team(busy, track, team_name="先报的队")
    UserFactory(username="mate")
    registration = _team(UserFactory(), track, "mate", "nobody-here", "busy")
    assert list(registration.invitations.values_list("username", "status")) == [
        ("mate", "pending"),
        ("nobody-here", "pending"),
        ("busy", "pending"),
    ]
    assert registration.invitations.get(username="nobody-here").user is None
    with pytest.raises(ValidationError):  # the busy person cannot join two teams of the track
        services.invitation_accept(invitation=registration.invitations.get(username="busy"), user=busy)


def test_the_organiser_approves_a_team_only_once_every_invitation_is_answered(db, organiser):
    track = TrackFactory(kind=TrackKind.TEAM)
    mate = UserFactory(username="mate")
    registration = _team(UserFactory(), track, "mate", "ghost")
    with pytest.raises(ValidationError, match="mate、ghost"):
        services.registration_approve(registration=registration, by=organiser)
    services.invitation_accept(invitation=registration.invitations.get(username="mate"), user=mate)
    with pytest.raises(ValidationError, match="ghost"):
        services.registration_approve(registration=registration, by=organiser)


def test_a_rejected_registration_does_not_block_its_people(db, organiser):
    track = TrackFactory(kind=TrackKind.TEAM)
    leader, mate = UserFactory(), UserFactory(username="mate")
    registration = _team(leader, track, "mate")
    services.invitation_accept(invitation=registration.invitations.get(), user=mate)
    services.registration_approve(registration=registration, by=organiser)
    services.registration_reject(registration=registration, by=organiser, note="资格不符")

    again = _team(leader, track, team_name="新队")
    mates_own = _team(mate, track, team_name="队员自己的队")

    assert again.status == mates_own.status == "pending"
    with pytest.raises(ValidationError):  # re-approving the old one would put them on two teams
        services.registration_approve(registration=registration, by=organiser)


def test_a_withdrawn_registration_does_not_block_and_its_invitations_lapse(db):
    track = TrackFactory(kind=TrackKind.TEAM)
    leader, mate = UserFactory(), UserFactory(username="mate")
    registration = _team(leader, track, "mate")
    with pytest.raises(PermissionDenied):
        services.registration_withdraw(registration=registration, user=mate)

    services.registration_withdraw(registration=registration, user=leader)

    assert Registration.objects.get(pk=registration.pk).status == "withdrawn"
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=registration.invitations.get(), user=mate)
    assert _team(leader, track, team_name="再来一次").status == "pending"


def test_a_team_cannot_outgrow_its_size(db):
    track = TrackFactory(kind=TrackKind.TEAM, team_size_max=3)
    with pytest.raises(ValidationError):
        _team(UserFactory(), track, "a", "b", "c")


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


def test_a_registration_links_the_unit_it_names_in_the_registry_and_keeps_the_text(db):
    """Recusal and statistics key on the registry: a typed unit that names one active organisation
    (by name, width and spaces aside, or by its credit code) is linked; an unknown, proposed or
    ambiguous one is not, and the text stays as typed."""
    from organisations import services as organisation_services

    known = organisation_services.organisation_create(
        kind="employer", name="精工智能制造有限公司", credit_code="914403001922038216"
    )
    organisation_services.organisation_create(
        kind="employer", name="待审核制造有限公司", credit_code="91110000100006485K", status="proposed"
    )
    track = TrackFactory()
    cases = [
        ("精工智能制造有限公司", known),
        (" 精工智能制造有限公司 ", known),
        ("统一社会信用代码 914403001922038216", known),
        ("待审核制造有限公司", None),
        ("没有登记的单位", None),
    ]
    for text, expected in cases:
        registration = services.registration_submit(user=UserFactory(), track=track, organisation=text, province="32")
        assert registration.organisation_record == expected, text
        assert registration.organisation == text.strip()
