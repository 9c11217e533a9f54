"""Where a judge lands after logging in, and the 待办 of contests (registered in apps.py with
accounts/landing.py): the rounds a judge scores, registrations and rounds at work for organisers.
(Team invitations are not here: the person is notified, and the contests page lists them first.)"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from accounts.landing import Action

from .models import Registration, RegistrationStatus, Round, RoundStatus, TrackJudge
from .models.rounds import RESULT_STATUSES
from .permissions import contests_managed_by, is_judge, judged_track_ids, may_run_contests

ACTIONS_MAX = 10
AT_WORK = (RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED)


def landing(user) -> str | None:
    """Judges land on the contests, whose 待办 lists the rounds they score."""
    return reverse("contests:list") if is_judge(user) else None


def next_actions(user) -> list[Action]:
    actions = []
    tracks = judged_track_ids(user)
    if tracks:
        rounds = (
            Round.objects.filter(track_id__in=tracks)
            .exclude(status__in=RESULT_STATUSES)
            .select_related("track")
            .order_by("starts_at", "pk")[:ACTIONS_MAX]
        )
        actions += [
            Action(
                _("评分：%(round)s") % {"round": rnd},
                reverse("contests:judge", args=[rnd.pk]),
                note=f"{rnd.get_status_display()} · {date_format(localtime(rnd.starts_at), 'Y-m-d H:i')}",
            )
            for rnd in rounds
        ]
    chief_of = (
        set(TrackJudge.objects.filter(judge=user, is_chief=True).values_list("track_id", flat=True)) if tracks else ()
    )
    if chief_of:
        in_review = (
            Round.objects.filter(track_id__in=chief_of, status=RoundStatus.PUBLISHED)
            .annotate(waiting=Count("entries__review_requests", filter=Q(entries__review_requests__status="pending")))
            .select_related("track")
            .order_by("published_at", "pk")[:ACTIONS_MAX]
        )
        actions += [
            Action(
                _("成绩复核：%(round)s") % {"round": rnd},
                reverse("contests:reviews", args=[rnd.pk]),
                rnd.waiting,
                note=rnd.get_status_display(),
            )
            for rnd in in_review
        ]
    if may_run_contests(user):  # organisers: every contest; a training manager: their 技术比武
        mine = contests_managed_by(user)
        pending = (
            Registration.objects.filter(status=RegistrationStatus.PENDING, track__contest__in=mine)
            .values("track_id", "track__name")
            .annotate(waiting=Count("pk"))
            .order_by("track__name", "track_id")[:ACTIONS_MAX]
        )
        actions += [
            Action(
                _("报名待审核：%(track)s") % {"track": row["track__name"]},
                reverse("contests:registrations", args=[row["track_id"]]),
                row["waiting"],
            )
            for row in pending
        ]
        at_work = (
            Round.objects.filter(status__in=AT_WORK, track__contest__in=mine)
            .select_related("track")
            .order_by("starts_at", "pk")
        )
        actions += [
            Action(
                (_("成绩待公布：%(round)s") if rnd.status == RoundStatus.ENDED else _("赛务控制台：%(round)s"))
                % {"round": rnd},
                reverse("contests:console", args=[rnd.pk]),
                note=rnd.get_status_display(),
            )
            for rnd in at_work[:ACTIONS_MAX]
        ]
    return actions
