"""Team registrations need consent: members are invited and accept on the contest pages, the form
tells nothing about which user names exist, and rejected or withdrawn registrations block nobody."""

import pytest

from django.urls import reverse

from contests import services
from contests.models import Registration, TeamInvitation, TrackKind
from tests.contests.factories import TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(db):
    return TrackFactory(kind=TrackKind.TEAM, team_size_max=3)


def _register(client, track, members: str, team_name="精工队"):
    data = {"organisation": "甲公司", "province": "32", "team_name": team_name, "members": members}
    return client.post(reverse("contests:register", args=[track.pk]), data, follow=True)


def _said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_form_answers_alike_whether_a_user_name_exists_or_not(client, track):
    UserFactory(username="realmate")
    answers = []
    for leader, members in (("leader1", "realmate"), ("leader2", "no-such-person")):
        client.force_login(UserFactory(username=leader))
        response = _register(client, track, members)
        answers.append((response.status_code, response.redirect_chain, _said(response)))

    assert answers[0] == answers[1]
    assert answers[0][0] == 200 and answers[0][1] == [(reverse("contests:detail", args=[track.contest.slug]), 302)]
    assert "邀请已发送" in answers[0][2][0]
    assert Registration.objects.count() == 2


def test_an_invited_member_accepts_on_the_contest_page_and_only_then_counts(client, track):
    leader, mate = UserFactory(username="leader1", real_name="队长甲"), UserFactory(username="mate", real_name="队员乙")
    client.force_login(leader)
    _register(client, track, "mate")
    registration = Registration.objects.get(user=leader)
    assert list(registration.members.all()) == [leader]
    detail = reverse("contests:detail", args=[track.contest.slug])
    leaders_page = client.get(detail).content.decode()
    assert 'data-invited="mate"' in leaders_page and "待确认" in leaders_page

    client.force_login(mate)
    page = client.get(detail).content.decode()
    invitation = TeamInvitation.objects.get()
    assert f'data-invitation="{invitation.pk}"' in page and "队长甲" in page and "接受邀请" in page
    assert f'data-invitation="{invitation.pk}"' in client.get(reverse("contests:list")).content.decode()
    response = client.post(reverse("contests:invitation", args=[invitation.pk]), {"action": "accept", "next": detail})

    assert response.status_code == 302 and response["Location"] == detail
    assert set(registration.members.all()) == {leader, mate}
    page = client.get(detail).content.decode()
    assert "接受邀请" not in page and "精工队" in page and "退出队伍" in page
    client.post(reverse("contests:invitation", args=[invitation.pk]), {"action": "decline"})
    assert list(registration.members.all()) == [leader]


def test_only_the_invited_person_can_answer(client, track):
    UserFactory(username="mate")
    registration = services.registration_submit(
        user=UserFactory(), track=track, organisation="甲", province="32", team_name="队", invitees=["mate"]
    )
    client.force_login(UserFactory(username="intruder"))
    invitation = registration.invitations.get()
    assert client.post(reverse("contests:invitation", args=[invitation.pk]), {"action": "accept"}).status_code == 404
    assert registration.members.count() == 1


def test_declining_leaves_the_team_as_it_was(client, track):
    mate = UserFactory(username="mate")
    registration = services.registration_submit(
        user=UserFactory(), track=track, organisation="甲", province="32", team_name="队", invitees=["mate"]
    )
    client.force_login(mate)
    client.post(reverse("contests:invitation", args=[registration.invitations.get().pk]), {"action": "decline"})
    assert registration.invitations.get().status == "declined" and registration.members.count() == 1


def test_the_organiser_sees_who_has_not_accepted_and_cannot_approve_yet(client, track, organiser):
    UserFactory(username="mate")
    registration = services.registration_submit(
        user=UserFactory(), track=track, organisation="甲", province="32", team_name="队", invitees=["mate", "ghost"]
    )
    client.force_login(organiser)
    url = reverse("contests:registrations", args=[track.pk])
    page = client.get(url).content.decode()
    assert 'data-invited="mate" data-state="pending"' in page and 'data-invited="ghost"' in page

    response = client.post(url, {"registration": registration.pk, "action": "approve"}, follow=True)

    assert "还有队员未确认邀请" in " ".join(_said(response))
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_a_rejected_contestant_registers_again(client, draft_round, organiser):
    newcomer = UserFactory(username="newcomer")
    registration = services.registration_submit(
        user=newcomer, track=draft_round.track, organisation="丙", province="44"
    )
    services.registration_reject(registration=registration, by=organiser, note="材料不全")
    client.force_login(newcomer)
    page = client.get(reverse("contests:detail", args=[draft_round.track.contest.slug])).content.decode()
    assert "重新报名" in page and "材料不全" in page

    response = client.post(
        reverse("contests:register", args=[draft_round.track.pk]), {"organisation": "丙公司", "province": "44"}
    )

    assert response.status_code == 302
    assert list(Registration.objects.filter(user=newcomer).values_list("status", flat=True)) == ["rejected", "pending"]


def test_the_leader_withdraws_a_pending_registration_and_may_register_again(client, track):
    leader = UserFactory(username="leader1")
    client.force_login(leader)
    _register(client, track, "")
    registration = Registration.objects.get(user=leader)
    client.force_login(UserFactory(username="other"))
    assert client.post(reverse("contests:withdraw", args=[registration.pk])).status_code == 404

    client.force_login(leader)
    response = client.post(reverse("contests:withdraw", args=[registration.pk]))

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    assert _register(client, track, "", team_name="新队").status_code == 200
    assert Registration.objects.filter(user=leader, status="pending").count() == 1
