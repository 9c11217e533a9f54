"""Mark months dirty when records of a past month change: the statistics' cache invalidation.

New records land in the current month, which every refresh recomputes anyway (with the previous
one), so most saves cost nothing here. A change that reaches further back (a certificate revoked, an
enrolment deleted, a worker's employer or an organisation's region changed) marks the months it
touches and enqueues the refresh after commit. Bulk `update()`s bypass signals: after one, run
`manage.py stats_refresh --all`.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from certificates.models import Certificate
from contests.models import Registration
from courses.models import CreditedHours, Enrolment
from organisations.models import Employment, Organisation

from .services import month_of, months_mark_all_dirty, months_mark_dirty, previous_month

DATES = {
    Enrolment: ("enrolled_at", "completed_at"),
    CreditedHours: ("credited_at",),
    Certificate: ("issued_at",),
    Registration: ("submitted_at",),
}
REGION_FIELDS = ("province_id", "city_id", "industry_section_id")


def _enqueue_refresh() -> None:
    from .tasks import refresh

    refresh.enqueue()


def _mark(dates) -> None:
    recent = _recent()
    old = [d for d in dates if d and month_of(d) < recent]
    if old:
        months_mark_dirty(months=old)
        transaction.on_commit(_enqueue_refresh)


def record_changed(sender, instance, **kwargs) -> None:
    _mark(getattr(instance, field) for field in DATES[sender])


def _recent() -> dt.date:
    return previous_month(month_of(timezone.now()))


def _user_dates(user_id: int, joined: dt.datetime | None) -> list[dt.datetime]:
    """The dates of every record of the user (none to look for if the account itself is recent)."""
    if joined is None:
        joined = get_user_model().objects.filter(pk=user_id).values_list("date_joined", flat=True).first()
    if joined is None or month_of(joined) >= _recent():
        return []
    dates = [joined]
    dates += Enrolment.objects.filter(learner_id=user_id).values_list("enrolled_at", flat=True)
    dates += Enrolment.objects.filter(learner_id=user_id).values_list("completed_at", flat=True)
    dates += Certificate.objects.filter(holder_id=user_id).values_list("issued_at", flat=True)
    dates += Registration.objects.filter(user_id=user_id).values_list("submitted_at", flat=True)
    return dates


def employment_changed(sender, instance, **kwargs) -> None:
    cached = Employment.user.is_cached(instance)
    _mark(_user_dates(instance.user_id, instance.user.date_joined if cached else None))


def organisation_saving(sender, instance, **kwargs) -> None:
    if instance.pk is None:
        return
    before = Organisation.objects.filter(pk=instance.pk).values(*REGION_FIELDS).first()
    if before and any(before[f] != getattr(instance, f) for f in REGION_FIELDS) and instance.employments.exists():
        months_mark_all_dirty()
        transaction.on_commit(_enqueue_refresh)


def connect() -> None:
    for model in DATES:
        post_save.connect(record_changed, sender=model, dispatch_uid=f"stats.{model.__name__}.save")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"stats.{model.__name__}.delete")
    post_save.connect(employment_changed, sender=Employment, dispatch_uid="stats.employment.save")
    post_delete.connect(employment_changed, sender=Employment, dispatch_uid="stats.employment.delete")
    pre_save.connect(organisation_saving, sender=Organisation, dispatch_uid="stats.organisation.save")
