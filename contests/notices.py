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

from .models import Registration, RegistrationStatus, Round, TeamMember, Track


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


# ------------------------------------------------------------------ results and reviews (成绩公示与复核)


def _round_name(rnd: Round) -> str:
    with translation.override(None):  # the stage's label in the source language, like the rest of the text
        return str(rnd)


def results_published(rnd: Round) -> None:
    """成绩公示: tell the round's contestants their results are out and until when they may ask for a review."""
    on_commit_safely(_results_published_notify, rnd.pk)


def _results_published_notify(round_id: int) -> None:
    from .results import review_window_end

    rnd = Round.objects.select_related("track__contest").get(pk=round_id)
    people = _people(Registration.objects.filter(entries__round=rnd))
    end = review_window_end(rnd)
    if rnd.review_window_hours and end:
        body = Message(
            gettext_noop("公示期至 %(end)s，期间如有异议可在成绩页面申请复核。"),
            end=timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
        )
    else:
        body = Message(gettext_noop("本场次不设公示期。"))
    notify(
        recipients=people,
        kind=NotificationKind.RESULTS_PUBLISHED,
        title=Message(
            gettext_noop("成绩已公示：%(where)s · %(round)s"), where=_where(rnd.track), round=_round_name(rnd)
        ),
        body=body,
        url=reverse("contests:results", args=[rnd.pk]),
        dedupe_key=f"round:{rnd.pk}:published",
    )


def results_final(rnd: Round) -> None:
    """成绩已确认: tell the round's contestants their results are final."""
    on_commit_safely(_results_final_notify, rnd.pk)


def _results_final_notify(round_id: int) -> None:
    rnd = Round.objects.select_related("track__contest").get(pk=round_id)
    notify(
        recipients=_people(Registration.objects.filter(entries__round=rnd)),
        kind=NotificationKind.RESULTS_PUBLISHED,
        title=Message(
            gettext_noop("成绩已确认：%(where)s · %(round)s"), where=_where(rnd.track), round=_round_name(rnd)
        ),
        body=Message(gettext_noop("公示期已结束，复核申请均已答复，裁判长已确认最终成绩。")),
        url=reverse("contests:results", args=[rnd.pk]),
        dedupe_key=f"round:{rnd.pk}:final",
    )


def review_filed(review) -> None:
    """成绩复核申请: tell the track's chief judge (the contest's organiser when there is none)."""
    on_commit_safely(_review_filed_notify, review.pk)


def _review_filed_notify(review_id: int) -> None:
    from .models import ReviewRequest, TrackJudge

    review = ReviewRequest.objects.select_related("entry__round__track__contest", "task").get(pk=review_id)
    rnd = review.entry.round
    chief = TrackJudge.objects.filter(track=rnd.track, is_chief=True).values_list("judge_id", flat=True).first()
    notify(
        recipients=[chief or rnd.track.contest.organiser_id],
        kind=NotificationKind.REVIEW,
        title=Message(
            gettext_noop("新的成绩复核申请：%(where)s · %(round)s"), where=_where(rnd.track), round=_round_name(rnd)
        ),
        body=Message(gettext_noop("复核内容：%(subject)s"), subject=review.subject),
        url=reverse("contests:reviews", args=[rnd.pk]),
    )


def review_answered(review) -> None:
    """成绩复核答复: tell the request's people the answer (they read it on the results page)."""
    on_commit_safely(_review_answered_notify, review.pk)


def _review_answered_notify(review_id: int) -> None:
    from .models import ReviewRequest, ReviewStatus

    review = ReviewRequest.objects.select_related("entry__round__track__contest", "task").get(pk=review_id)
    rnd = review.entry.round
    outcome = gettext_noop("已更正成绩") if review.status == ReviewStatus.CHANGED else gettext_noop("维持原成绩")
    notify(
        recipients=_people(Registration.objects.filter(pk=review.entry.registration_id)),
        kind=NotificationKind.REVIEW,
        title=Message(
            gettext_noop("成绩复核已答复：%(where)s · %(round)s"), where=_where(rnd.track), round=_round_name(rnd)
        ),
        body=Message(
            gettext_noop("%(subject)s：%(outcome)s。答复：%(answer)s"),
            subject=review.subject,
            outcome=outcome,
            answer=review.answer[:300],
        ),
        url=reverse("contests:results", args=[rnd.pk]) + "#review",
    )


# ------------------------------------------------------------------ decisions in bulk (报名批量审核)


def _people_of(registration_ids: list[int], **filters) -> set[int]:
    """The people of many registrations, 500 ids per query."""
    people: set[int] = set()
    for start in range(0, len(registration_ids), 500):
        chunk = registration_ids[start : start + 500]
        people.update(_people(Registration.objects.filter(pk__in=chunk, **filters)))
    return people


def registrations_decided(*, track_id: int, registration_ids: list[int], status: str, note: str) -> None:
    """One decision on many registrations of a track: one notification per person, written in one bulk
    insert after the commit (notify), with the organiser's reason."""
    on_commit_safely(_registrations_notify, track_id, list(registration_ids), status, note)


def _registrations_notify(track_id: int, registration_ids: list[int], status: str, note: str) -> None:
    track = Track.objects.select_related("contest").get(pk=track_id)
    people = _people_of(registration_ids, status=status)
    where = _where(track)
    if status == RegistrationStatus.APPROVED:
        kind = NotificationKind.REGISTRATION_APPROVED
        title = Message(gettext_noop("您的报名已通过审核：%(where)s"), where=where)
        default = Message(gettext_noop("比赛开始前候场开放时，我们会再通知您。"))
    else:
        kind = NotificationKind.REGISTRATION_REJECTED
        title = Message(gettext_noop("您的报名未通过审核：%(where)s"), where=where)
        default = Message(gettext_noop("如有疑问，请联系大赛组委会。"))
    body = Message(gettext_noop("审核意见：%(note)s"), note=note) if note else default
    url = reverse("contests:detail", args=[track.contest.slug])
    notify(recipients=sorted(people), kind=kind, title=title, body=body, url=url)


def registrations_imported(*, track_id: int, registration_ids: list[int], status: str) -> None:
    """名单导入: tell the people of an imported list they are registered (approved, or to be reviewed)."""
    on_commit_safely(_imported_notify, track_id, list(registration_ids), status)


def _imported_notify(track_id: int, registration_ids: list[int], status: str) -> None:
    if status == RegistrationStatus.APPROVED:
        _registrations_notify(track_id, registration_ids, status, "")
        return
    track = Track.objects.select_related("contest").get(pk=track_id)
    people = _people_of(registration_ids)
    notify(
        recipients=sorted(people),
        kind=NotificationKind.REGISTRATION_IMPORTED,
        title=Message(gettext_noop("组委会已将您列入报名名单：%(where)s"), where=_where(track)),
        body=Message(gettext_noop("报名待审核，审核结果会另行通知您。")),
        url=reverse("contests:detail", args=[track.contest.slug]),
    )
