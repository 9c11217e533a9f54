"""What other apps tell people: a certificate issued, a registration approved or rejected, a round's
lobby open; and a notification that fails never undoes the decision."""

import logging

import pytest

from django.utils import timezone

from certificates.services import certificate_issue_completion
from contests import services as contest_services
from contests.models import Registration, TrackKind
from courses.models import Enrolment
from notifications.models import Notification, NotificationKind
from tests.contests.factories import ApprovedRegistrationFactory, RegistrationFactory, RoundFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _team(track, leader, mate):
    registration = contest_services.registration_submit(
        user=leader, track=track, organisation="甲公司", province="32", team_name="精工队", invitees=[mate.username]
    )
    contest_services.invitation_accept(invitation=registration.invitations.get(), user=mate)
    return registration


def test_an_approved_team_is_told_leader_and_members(organiser, django_capture_on_commit_callbacks, mailoutbox):
    track = TrackFactory(kind=TrackKind.TEAM, team_size_max=3)
    leader, mate = UserFactory(username="leader"), UserFactory(username="mate")
    registration = _team(track, leader, mate)
    with django_capture_on_commit_callbacks(execute=True):
        contest_services.registration_approve(registration=registration, by=organiser)
    assert _told(NotificationKind.REGISTRATION_APPROVED) == {"leader", "mate"}
    notification = Notification.objects.get(recipient=leader)
    assert track.name in notification.title_text and notification.url == f"/contests/{track.contest.slug}/"
    assert sorted(m.to[0] for m in mailoutbox) == ["leader@example.cn", "mate@example.cn"]
    with django_capture_on_commit_callbacks(execute=True):  # approving again changes nothing, tells nobody
        contest_services.registration_approve(registration=registration, by=organiser)
    assert Notification.objects.count() == 2


def test_a_rejection_carries_the_reason(organiser, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(user=UserFactory(username="applicant"))
    with django_capture_on_commit_callbacks(execute=True):
        contest_services.registration_reject(registration=registration, by=organiser, note="工作单位与证明材料不符")
    notification = Notification.objects.get(kind=NotificationKind.REGISTRATION_REJECTED)
    assert notification.recipient.username == "applicant"
    assert "工作单位与证明材料不符" in notification.body_text


def test_a_lobby_tells_the_approved_registrants_of_the_track_only(organiser, django_capture_on_commit_callbacks):
    rnd = RoundFactory(track__contest__organiser=organiser)
    approved = [ApprovedRegistrationFactory(track=rnd.track, user=UserFactory(username=f"ok{i}")) for i in range(3)]
    RegistrationFactory(track=rnd.track, user=UserFactory(username="pending"))
    RegistrationFactory(
        track=rnd.track, user=UserFactory(username="rejected"), status="rejected", decided_at=timezone.now()
    )
    ApprovedRegistrationFactory(user=UserFactory(username="other_track"))
    with django_capture_on_commit_callbacks(execute=True):
        contest_services.round_open_lobby(round=rnd, by=organiser)
    assert _told(NotificationKind.ROUND_LOBBY) == {r.user.username for r in approved}
    notification = Notification.objects.filter(kind=NotificationKind.ROUND_LOBBY).first()
    assert notification.url == f"/contests/rounds/{rnd.pk}/contestant/"
    assert rnd.track.name in notification.title_text


def test_a_lobby_for_many_costs_a_few_queries_whatever_the_field(organiser, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def lobby(contestants: int) -> int:
        rnd = RoundFactory(track__contest__organiser=organiser)
        for _ in range(contestants):
            ApprovedRegistrationFactory(track=rnd.track)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            contest_services.round_open_lobby(round=rnd, by=organiser)
        (notice,) = [c for c in callbacks if getattr(c, "__qualname__", "").startswith("on_commit_safely")]
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False) as tasks:
            notice()
        assert Notification.objects.filter(url=f"/contests/rounds/{rnd.pk}/contestant/").count() == contestants
        assert len(tasks) == 1  # one e-mail task for the whole field
        # one bulk insert: one statement on PostgreSQL; SQLite caps the parameters of a statement
        inserts = [
            q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "notifications_notification"')
        ]
        assert len(inserts) <= contestants * 9 // 999 + 1
        return len(queries.captured_queries) - len(inserts)

    assert lobby(120) == lobby(5) <= 8


def test_a_failing_notification_does_not_undo_the_approval(
    organiser, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("contests.notices.notify", broken)
    registration = RegistrationFactory()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        contest_services.registration_approve(registration=registration, by=organiser)
    assert Registration.objects.get(pk=registration.pk).status == "approved"
    assert not Notification.objects.exists()
    assert "通知未能发送" in caplog.text


def test_an_issued_certificate_is_announced_to_its_holder(learner, course, django_capture_on_commit_callbacks):
    enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue_completion(enrolment=enrolment)
    notification = Notification.objects.get(kind=NotificationKind.CERTIFICATE_ISSUED)
    assert notification.recipient == learner == certificate.holder
    assert notification.title == "您的结业证书已颁发" and notification.body == course.title
    assert notification.url == "/certificates/"
    with django_capture_on_commit_callbacks(execute=True):  # asked again: the same certificate, no second notice
        certificate_issue_completion(enrolment=enrolment)
    assert Notification.objects.count() == 1


def test_a_failing_notification_does_not_cost_the_certificate(
    learner, course, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr("notifications.services.notify", broken)
    enrolment = Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue_completion(enrolment=enrolment)
    assert certificate.pk and not Notification.objects.exists()
