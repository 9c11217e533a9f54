"""学时证明: which credited courses a period covers, and the rules a requested period must keep.

A 学时证明 lists the courses whose 学时 were credited to the learner (courses.CreditedHours, one per
completed enrolment) on a day of the period (Asia/Shanghai), with their hours, effective study time
and completion dates, and the totals.

Idempotent per learner, period and credits: its `source` is the period plus a digest of the credits
it lists, so asking again for the same period returns the certificate already issued, while a
period in which new 学时 were credited since gets a new certificate (the earlier one stays valid:
it was true of the courses it lists).
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CreditedHours

EARLIEST = dt.date(2000, 1, 1)


def today() -> dt.date:
    return timezone.localdate()


def period_for_year(year: int) -> tuple[dt.date, dt.date]:
    """A calendar year, up to today when it is the current one."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return start, min(end, max(start, today()))


def period_check(start: dt.date, end: dt.date, *, on: dt.date | None = None) -> None:
    """Refuse a period that is reversed, in the future, before EARLIEST or too long."""
    on = on or today()
    if start > end:
        raise ValidationError(_("开始日期不能晚于结束日期"))
    if end > on:
        raise ValidationError(_("结束日期不能晚于今天"))
    if start < EARLIEST:
        raise ValidationError(_("开始日期不能早于 2000 年 1 月 1 日"))
    years = settings.STUDY_HOURS_MAX_YEARS
    try:
        limit = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + years, day=28)
    if end >= limit:
        raise ValidationError(_("一份学时证明最多涵盖 %(years)s 年") % {"years": years})


def credited_rows(holder, start: dt.date, end: dt.date) -> list[CreditedHours]:
    """The holder's credits on a day of the period, oldest first."""
    return list(
        CreditedHours.objects.filter(learner=holder, credited_at__date__gte=start, credited_at__date__lte=end)
        .select_related("course__provider")
        .order_by("credited_at", "pk")
    )


def source_for(start: dt.date, end: dt.date, rows: list[CreditedHours]) -> str:
    """`hours:<from>:<to>:<digest of the credits>` (at most 60 characters: Certificate.source)."""
    digest = hashlib.sha256(",".join(str(row.pk) for row in rows).encode()).hexdigest()[:12]
    return f"hours:{start.isoformat()}:{end.isoformat()}:{digest}"


def effective_hours(seconds: int) -> Decimal:
    """Seconds as hours with one decimal, rounded down: never more than was really studied."""
    return (Decimal(int(seconds or 0)) / 3600).quantize(Decimal("0.1"), rounding="ROUND_DOWN")
