"""What contestants are told outside the live round (notifications): a registration approved or
rejected, and a round opening its lobby.

Services call these inside their transaction; the notice is sent after the commit, and a failure is
logged without touching the decision (notifications.services.on_commit_safely). The lobby notice
costs two reads, one bulk insert and one e-mail task per 500 contestants, whatever the field's size.
"""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from courses.messages import Message
from notifications.models import NotificationKind
from notifications.services import notify, on_commit_safely

from .models import Registration, RegistrationStatus, Round, TeamMember


def _people(registrations) -> list[int]:
    """The people of these registrations: the contestant (a team's leader) and the team's members."""
    ids = set(registrations.values_list("user_id", flat=True))
    ids.update(TeamMember.objects.filter(registration__in=registrations).values_list("user_id", flat=True))
    return sorted(ids)


def _where(track) -> str:
    return f"{track.contest.name} · {track.name}"


def registration_decided(registration: Registration) -> None:
    """报名审核: tell the registration's people it was approved, or rejected with the reason."""
    on_commit_safely(_registration_notify, registration.pk)


def _registration_notify(registration_id: int) -> None:
    registration = Registration.objects.select_related("track__contest").get(pk=registration_id)
    people = _people(Registration.objects.filter(pk=registration_id))
    url = reverse("contests:detail", args=[registration.track.contest.slug])
    where = _where(registration.track)
    if registration.status == RegistrationStatus.APPROVED:
        kind = NotificationKind.REGISTRATION_APPROVED
        title = Message(gettext_noop("您的报名已通过审核：%(where)s"), where=where)
        body = Message(gettext_noop("比赛开始前候场开放时，我们会再通知您。"))
    elif registration.status == RegistrationStatus.REJECTED:
        kind = NotificationKind.REGISTRATION_REJECTED
        title = Message(gettext_noop("您的报名未通过审核：%(where)s"), where=where)
        if registration.note:
            body = Message(gettext_noop("审核意见：%(note)s"), note=registration.note)
        else:
            body = Message(gettext_noop("如有疑问，请联系大赛组委会。"))
    else:  # changed again before the commit: nothing to tell
        return
    notify(recipients=people, kind=kind, title=title, body=body, url=url)


def lobby_opened(rnd: Round) -> None:
    """比赛即将开始: tell the approved contestants of the track that the round's lobby is open."""
    on_commit_safely(_lobby_notify, rnd.pk)


def _lobby_notify(round_id: int) -> None:
    rnd = Round.objects.select_related("track__contest").get(pk=round_id)
    people = _people(Registration.objects.filter(track_id=rnd.track_id, status=RegistrationStatus.APPROVED))
    with translation.override(None):  # the stage's label in the source language, like the rest of the text
        name = str(rnd)
    notify(
        recipients=people,
        kind=NotificationKind.ROUND_LOBBY,
        title=Message(gettext_noop("比赛即将开始：%(where)s · %(round)s"), where=_where(rnd.track), round=name),
        body=Message(
            gettext_noop("候场已开放，比赛计划于 %(start)s 开始，请提前进入比赛页面。"),
            start=timezone.localtime(rnd.starts_at).strftime("%Y-%m-%d %H:%M"),
        ),
        url=reverse("contests:contestant", args=[rnd.pk]),
        dedupe_key=f"round:{rnd.pk}",
    )
