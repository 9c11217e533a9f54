"""The yearly summary (年度学时汇总): per worker of an organisation, within a year (Asia/Shanghai) and
the courses assigned to them by the organisation's classes, tracked time by study date, credited 学时
and completed courses by the time of completion, and the certificates issued. A worker's
self-chosen courses are left out: they are not the employer's business. The document a company
files with its 职工教育经费 records (training/exports.year_sheets)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min, Sum

from certificates.models import Certificate, CertificateStatus
from courses.ledger import hours_of
from courses.models import CreditedHours, StudyDay

from .models import ClassMember, RosterEntry, TrainingClass
from .reports import today


@dataclass
class YearRow:
    entry: RosterEntry
    seconds: int = 0
    credited: Decimal = Decimal(0)
    courses_completed: int = 0
    certificates: list[str] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.seconds)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the year and of the next one, in Asia/Shanghai."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def year_entries(organisation, *, q: str = "", department: str = ""):
    """The workers of the organisation who are or were in one of its classes."""
    # IN (…) is computed once; EXISTS per roster row was 10 µs a worker on SQLite.
    in_a_class = ClassMember.objects.filter(training_class__organisation=organisation).values("entry_id")
    queryset = RosterEntry.objects.filter(organisation=organisation, pk__in=in_a_class)
    if q:
        queryset = queryset.filter(name__icontains=q)
    if department:
        queryset = queryset.filter(department=department)
    return queryset.order_by("department", "name", "pk")


def year_choices(organisation) -> list[int]:
    """The years from the organisation's first class to this one, newest first."""
    first = TrainingClass.objects.filter(organisation=organisation).aggregate(first=Min("starts_on"))["first"]
    this = today().year
    start = min(first.year, this) if first else this
    return list(range(this, start - 1, -1))


def year_rows(organisation, entries, year: int) -> list[YearRow]:
    """Per worker, within `year` (Asia/Shanghai) and the courses assigned to them by the organisation's
    classes: tracked time, credited 学时, courses completed (credited) and certificates issued.
    Four queries for any number of entries."""
    entries = list(entries)
    rows = [YearRow(entry=e) for e in entries]
    assigned = defaultdict(set)
    for entry_id, course_id in ClassMember.objects.filter(
        entry__in=entries, training_class__organisation=organisation, training_class__class_courses__isnull=False
    ).values_list("entry_id", "training_class__class_courses__course_id"):
        assigned[entry_id].add(course_id)
    users = [e.user_id for e in entries if e.user_id]
    courses = sorted(set().union(*assigned.values())) if assigned else []
    if not users or not courses:
        return rows
    start, end = year_bounds(year)
    seconds = defaultdict(int)
    for learner, course, total in (
        StudyDay.objects.filter(learner_id__in=users, day__gte=start.date(), day__lt=end.date())  # courses: below
        .values("learner_id", "course_id")
        .annotate(total=Sum("seconds"))
        .values_list("learner_id", "course_id", "total")
    ):
        seconds[learner, course] = total or 0
    credits = CreditedHours.objects.filter(
        learner_id__in=users, credited_at__gte=start, credited_at__lt=end
    ).values_list("learner_id", "course_id", "hours")
    certificates = (
        Certificate.objects.filter(
            holder_id__in=users,
            course__isnull=False,
            status=CertificateStatus.VALID,
            issued_at__gte=start,
            issued_at__lt=end,
        )
        .order_by("issued_at", "pk")
        .values_list("holder_id", "course_id", "number")
    )
    by_user = defaultdict(list)  # a user may sit on a left and a current entry
    for row in rows:
        row.seconds = sum(seconds.get((row.entry.user_id, c), 0) for c in assigned[row.entry.pk])
        by_user[row.entry.user_id].append(row)
    for learner, course, hours in credits:
        for row in by_user[learner]:
            if course in assigned[row.entry.pk]:
                row.credited += hours
                row.courses_completed += 1
    for holder, course, number in certificates:
        for row in by_user[holder]:
            if course in assigned[row.entry.pk]:
                row.certificates.append(number)
    return rows
