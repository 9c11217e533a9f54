"""What contestants are told about going on (notifications): they advanced into a later round (晋级),
they were nominated to a higher-level contest (选拔推荐), or a nomination was returned before they
registered (a returned registration is told by `notices.registration_decided`, with the reason).

Like contests.notices: called inside the service's transaction, sent after the commit, a failure
logged without touching the decision.
"""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from courses.messages import Message
from notifications.models import NotificationKind
from notifications.services import notify, on_commit_safely

from .models import Advancement, Nomination, Registration
from .notices import _people, _where


def advanced(advancement: Advancement) -> None:
    on_commit_safely(_advanced_notify, advancement.pk)


def _advanced_notify(advancement_id: int) -> None:
    advancement = Advancement.objects.select_related("to_round__track__contest", "from_round").get(pk=advancement_id)
    target = advancement.to_round
    with translation.override(None):
        source_name, target_name = str(advancement.from_round), str(target)
    notify(
        recipients=_people(Registration.objects.filter(advancements__advancement=advancement)),
        kind=NotificationKind.ADVANCED,
        title=Message(gettext_noop("恭喜您晋级：%(where)s · %(round)s"), where=_where(target.track), round=target_name),
        body=Message(
            gettext_noop("根据 %(source)s 的最终成绩，您晋级 %(round)s，计划于 %(start)s 开始，候场开放时会再通知您。"),
            source=source_name,
            round=target_name,
            start=timezone.localtime(target.starts_at).strftime("%Y-%m-%d %H:%M"),
        ),
        url=reverse("contests:detail", args=[target.track.contest.slug]),
        dedupe_key=f"advanced:{target.pk}",
    )


def nominated(nomination: Nomination) -> None:
    on_commit_safely(_nominated_notify, nomination.pk)


def _nominated_notify(nomination_id: int) -> None:
    nomination = Nomination.objects.select_related("target_track__contest", "qualifier__source_track__contest").get(
        pk=nomination_id
    )
    notify(
        recipients=[nomination.user_id],
        kind=NotificationKind.NOMINATED,
        title=Message(gettext_noop("您已被推荐参加：%(where)s"), where=_where(nomination.target_track)),
        body=Message(
            gettext_noop(
                "根据您在 %(source)s 的成绩，您获得推荐名额。请确认报名，工作单位和省份已按您的选拔报名填好。"
            ),
            source=_where(nomination.qualifier.source_track),
        ),
        url=reverse("contests:nomination_register", args=[nomination.pk]),
        dedupe_key=f"nomination:{nomination.pk}",
    )


def nomination_returned(nomination: Nomination, reason: str) -> None:
    on_commit_safely(_returned_notify, nomination.pk, reason)


def _returned_notify(nomination_id: int, reason: str) -> None:
    nomination = Nomination.objects.select_related("target_track__contest").get(pk=nomination_id)
    notify(
        recipients=[nomination.user_id],
        kind=NotificationKind.NOMINATED,
        title=Message(gettext_noop("您的推荐已被退回：%(where)s"), where=_where(nomination.target_track)),
        body=Message(gettext_noop("退回原因：%(reason)s"), reason=reason),
        url=reverse("contests:nomination_register", args=[nomination.pk]),
    )
