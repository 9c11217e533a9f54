"""The rules of an enterprise 技术比武 (`Contest.level = enterprise`), asked by the services and the admin.

- It names its host (`host_organisation`); no other level does. One a training manager creates
  always has its host (the admin form requires it); an organiser's may have none (open to all, as
  before hosts existed), and then the rules below do not apply.
- Only the host's workers enter: a person on its 职工名册 with an account and status 在册
  (training.RosterEntry, kept by the organisation's managers). The employer a user declares
  (organisations.Employment) is their own statement and grants nothing.
- Its judges are the host's own staff (workers on the roster, its managers) or experts of the pool;
  the recusal rules (experts.recusal) apply as for every contest.
Who runs it is contests.permissions.can_manage_contest.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Contest, ContestLevel, Track


def contest_check(*, level: str | None, host) -> None:
    """Only an enterprise contest has a host organisation; a national or industry one has none."""
    if level and level != ContestLevel.ENTERPRISE and host is not None:
        raise ValidationError({"host_organisation": _("只有企业技术比武设主办企业")})


def is_hosted(contest: Contest) -> bool:
    """An enterprise contest with its host: only its workers enter, only its staff or the pool judge."""
    return contest.level == ContestLevel.ENTERPRISE and contest.host_organisation_id is not None


def host_worker_ids(organisation_id: int | None, user_ids) -> set[int]:
    """Which of the people are workers of the organisation now (on its roster, 在册)."""
    from training.models import RosterEntry, RosterStatus

    if organisation_id is None:
        return set()
    rows = RosterEntry.objects.filter(organisation_id=organisation_id, status=RosterStatus.ACTIVE, user_id__in=user_ids)
    return set(rows.values_list("user_id", flat=True))


def require_host_workers(track: Track, user_ids) -> None:
    """Refuse people who are not workers of the host of the track's enterprise contest (no check for
    other contests)."""
    contest = track.contest
    if not is_hosted(contest):
        return
    wanted = {pk for pk in user_ids if pk is not None}
    if wanted - host_worker_ids(contest.host_organisation_id, wanted):
        raise ValidationError(_("本次技术比武仅限主办企业在册职工参加"))


def judge_candidates(contest: Contest):
    """The accounts that may judge the contest: anyone for national and industry contests; for an
    enterprise contest the host's workers and managers and the experts of the pool."""
    if not is_hosted(contest):
        return get_user_model().objects.filter(is_active=True)
    return staff_or_pool([contest.host_organisation_id])


def staff_or_pool(organisation_ids):
    """Active accounts of the organisations' staff (在册 workers, members such as its managers) and of
    the expert pool: who an enterprise manager may make a judge."""
    from experts.models import Expert
    from training.models import RosterStatus

    ids = [pk for pk in organisation_ids if pk is not None]
    staff = Q(roster_entries__organisation_id__in=ids, roster_entries__status=RosterStatus.ACTIVE) | Q(
        organisation_memberships__organisation_id__in=ids
    )
    experts = Expert.objects.filter(is_active=True, user__isnull=False).values("user_id")
    return get_user_model().objects.filter(staff | Q(pk__in=experts), is_active=True).distinct()


def require_judge_candidate(track: Track, judge) -> None:
    if is_hosted(track.contest) and not judge_candidates(track.contest).filter(pk=judge.pk).exists():
        raise ValidationError(
            _("%(name)s不是主办企业的职工，也不在专家库中，不能担任本次技术比武的评委") % {"name": judge}
        )
