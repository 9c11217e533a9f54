"""Compute one month's cells from the raw records: a GROUP BY per metric at the finest grain, then
summed in Python into each grain (stats/dimensions.py). Runs in the background refresh only.

Where a person is: their employer in the organisation registry (`organisations.Employment`, which is
also their own declaration of it); for a contest entry, the registration's registry organisation, else
the province the entrant declared. Nothing else, and never the region prefix of an ID number (that is a
birthplace). No employer → the 未知 bucket (empty codes).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from certificates.models import Certificate, CertificateKind, CertificateStatus
from contests.models import Entry, Registration, RegistrationStatus, Round
from contests.scoring import Award
from courses.models import CreditedHours, Enrolment, StudyDay

from .dimensions import COLUMNS, EVERY_GRAIN, GRAINS, METRICS, PROVIDER_GRAINS
from .models import StatCell

AWARD_BY_LABEL = {"一等奖": Award.FIRST, "二等奖": Award.SECOND, "三等奖": Award.THIRD, "优秀奖": Award.MERIT}
DIMS = ("province", "city", "industry", "employer", "level", "kind", "provider", "course", "contest", "track")


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `month` and of the next, in the site's time zone."""
    start = dt.datetime(month.year, month.month, 1)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def _geo(org: str) -> dict[str, str]:
    """The lookups of a person's place: `org` is the path to their registry organisation."""
    return {
        "province": f"{org}__province_id",
        "city": f"{org}__city_id",
        "industry": f"{org}__industry_section_id",
        "employer": f"{org}__id",
    }


def _rows(queryset, fields: dict[str, str], count, amount=None, *, month: str | None = None) -> Iterable[dict]:
    """Group `queryset` by `fields` (dimension → lookup) and by the month of the date field `month`,
    and yield dimension dicts with the month, count and amount."""
    annotations = {"n": count}
    if amount is not None:
        annotations["s"] = amount
    lookups = list(fields.values())
    if month is not None:
        queryset = queryset.annotate(stats_month=TruncMonth(month))
        lookups.append("stats_month")
    for row in queryset.values(*lookups).annotate(**annotations).order_by():
        out = {dim: row[lookup] for dim, lookup in fields.items()}
        out["month"] = month_of(row["stats_month"]) if month is not None else None
        out["count"] = row["n"]
        out["amount"] = row.get("s") or 0
        yield out


def month_of(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _learner_rows(start, end, now) -> Iterable[tuple[str, dict]]:
    user = get_user_model()
    joined = user.objects.filter(date_joined__gte=start, date_joined__lt=end)
    for row in _rows(joined, _geo("employment__organisation"), Count("id"), month="date_joined"):
        yield "registered", row
    if start <= now < end:  # active in the last 30 days: measured now, filed under the current month
        since = now - dt.timedelta(days=30)
        studied = StudyDay.objects.filter(learner=OuterRef("pk"), day__gte=timezone.localdate(since))
        touched = Enrolment.objects.filter(learner=OuterRef("pk"), last_activity_at__gte=since)
        active = user.objects.filter(Q(Exists(studied)) | Q(Exists(touched)))
        for row in _rows(active, _geo("employment__organisation"), Count("id")):
            yield "active", {**row, "month": month_of(now)}


def _course_fields(person: str) -> dict[str, str]:
    return {
        **_geo(f"{person}__employment__organisation"),
        "level": "course__level",
        "provider": "course__provider_id",
        "course": "course_id",
    }


def _course_rows(start, end) -> Iterable[tuple[str, dict]]:
    fields = _course_fields("learner")
    enrolled = Enrolment.objects.filter(enrolled_at__gte=start, enrolled_at__lt=end)
    for row in _rows(enrolled, fields, Count("id"), month="enrolled_at"):
        yield "enrolments", row
    completed = Enrolment.objects.filter(completed_at__gte=start, completed_at__lt=end)
    for row in _rows(completed, fields, Count("id"), month="completed_at"):
        yield "completions", row
    days = StudyDay.objects.filter(day__gte=timezone.localdate(start), day__lt=timezone.localdate(end))
    for row in _rows(days, fields, Count("learner_id", distinct=True), Sum("seconds"), month="day"):
        yield "study", row
    credited = CreditedHours.objects.filter(credited_at__gte=start, credited_at__lt=end)
    for row in _rows(credited, fields, Count("id"), Sum("hours"), month="credited_at"):
        row["amount"] = int((Decimal(row["amount"]) * 10).to_integral_value())
        yield "credited", row


def _round_tracks(round_ids: set[int]) -> dict[int, tuple[int, int]]:
    rounds = Round.objects.filter(pk__in=round_ids).values_list("pk", "track_id", "track__contest_id")
    return {pk: (track, contest) for pk, track, contest in rounds}


def _certificate_rows(start, end) -> Iterable[tuple[str, dict]]:
    issued = Certificate.objects.filter(issued_at__gte=start, issued_at__lt=end, status=CertificateStatus.VALID)
    fields = {
        **_course_fields("holder"),
        "kind": "kind",
        "skill_level": "snapshot__level__value",
        "award": "snapshot__contest__award",
        "source": "source",
    }
    rows = list(_rows(issued, fields, Count("id"), month="issued_at"))
    tracks = _round_tracks(
        {int(r["source"][6:]) for r in rows if r["kind"] == CertificateKind.AWARD and r["source"][6:].isdigit()}
    )
    for row in rows:
        kind, source, award = row.pop("kind"), row.pop("source"), row.pop("award")
        skill_level = row.pop("skill_level")
        row["kind"] = kind
        if kind == CertificateKind.SKILL_LEVEL:
            row["level"] = int(skill_level or 0)
        row["track"], row["contest"] = (0, 0)
        if kind == CertificateKind.AWARD and source[6:].isdigit():
            row["track"], row["contest"] = tracks.get(int(source[6:]), (0, 0))
        yield "certificates", dict(row)
        if kind == CertificateKind.AWARD:
            yield "awards", {**row, "kind": AWARD_BY_LABEL.get(award or "", ""), "level": 0}


def _contest_fields(prefix: str) -> dict[str, str]:
    return {
        **_geo(f"{prefix}organisation_record"),
        "declared": f"{prefix}province",
        "contest": f"{prefix}track__contest_id",
        "track": f"{prefix}track_id",
    }


def _contest_rows(start, end) -> Iterable[tuple[str, dict]]:
    live = Registration.objects.exclude(status=RegistrationStatus.WITHDRAWN)
    submitted = live.filter(submitted_at__gte=start, submitted_at__lt=end)
    for row in _rows(submitted, _contest_fields(""), Count("id"), month="submitted_at"):
        yield "registrations", row
    entries = Entry.objects.filter(joined_at__gte=start, joined_at__lt=end)
    joined = _rows(
        entries, _contest_fields("registration__"), Count("registration_id", distinct=True), month="joined_at"
    )
    for row in joined:
        yield "participants", row


def span_rows(first: dt.date, last: dt.date, *, now: dt.datetime) -> list[tuple[str, dict]]:
    """Every (metric, finest row with its month) from month `first` to month `last`: one GROUP BY per
    metric over the whole span, so a full rebuild reads each table once."""
    start, end = month_bounds(first)[0], month_bounds(last)[1]
    out = [*_learner_rows(start, end, now), *_course_rows(start, end)]
    out += [*_certificate_rows(start, end), *_contest_rows(start, end)]
    return out


def _normalise(row: dict) -> dict:
    declared = row.pop("declared", "")
    clean = {dim: row.get(dim) for dim in DIMS}
    for dim in ("province", "city", "industry", "kind"):
        clean[dim] = clean[dim] or ""
    if not clean["province"] and declared:
        clean["province"] = declared  # a contest entrant's own declaration, when no registry organisation
    for dim in ("employer", "level", "provider", "course", "contest", "track"):
        clean[dim] = int(clean[dim] or 0)
    return clean


def cell_sums(months: set[dt.date], rows: Iterable[tuple[str, dict]]) -> dict[tuple, list[int]]:
    """Sum the finest rows of `months` into the cells of every grain that the metric's dimensions reach:
    (month, grain, metric, *DIMS values) → [count, amount]."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    empties = tuple(_empty(d) for d in DIMS)
    for metric, raw in rows:
        if raw["month"] not in months:
            continue
        row = _normalise(dict(raw))
        values = tuple(row[d] for d in DIMS)
        count, amount = raw["count"], int(raw["amount"] or 0)
        for grain, keep in _kept(metric):
            key = (raw["month"], grain, metric, *(v if k else e for v, k, e in zip(values, keep, empties, strict=True)))
            total = sums[key]
            total[0] += count
            total[1] += amount
    return sums


def _kept(metric: str) -> list[tuple[str, tuple[bool, ...]]]:
    """For each grain a metric has cells in: which of DIMS the cell keeps."""
    dims = METRICS[metric].dims
    out = []
    for grain, carried in GRAINS.items():
        if grain in PROVIDER_GRAINS and "provider" not in dims:
            continue
        keep = (carried | EVERY_GRAIN) & (dims | {"kind", "level"})
        out.append((grain, tuple(d in keep for d in DIMS)))
    return out


def cells_for(months: set[dt.date], rows: Iterable[tuple[str, dict]]) -> list[StatCell]:
    """The cells of `months` as model instances (see cell_sums)."""
    cells = []
    for (month, grain, metric, *values), (count, amount) in cell_sums(months, rows).items():
        fields = {COLUMNS[d]: v for d, v in zip(DIMS, values, strict=True)}
        cells.append(StatCell(grain=grain, month=month, metric=metric, count=count, amount=amount, **fields))
    return cells


def _empty(dim: str):
    return "" if dim in ("province", "city", "industry", "kind") else 0
