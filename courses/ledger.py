"""Reads of the 学时 ledger: effective study time (StudyDay) and credited 学时 (CreditedHours), per
course, per year (Asia/Shanghai) and per learner, for 我的学习 and the providers' report.

The two are never mixed: effective time is what the heartbeats measured, credited 学时 are the
course's hours, credited once on completion (services.hours_credit).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear

from accounts.roles import is_organiser, provider_ids

from .models import Course, CreditedHours, Enrolment, Lesson, LessonProgress, StudyDay


def hours_of(seconds: int | None) -> Decimal:
    """Seconds as hours with one decimal, rounded down (never more than was studied)."""
    return (Decimal(int(seconds or 0)) / 3600).quantize(Decimal("0.1"), rounding="ROUND_DOWN")


@dataclass
class YearTotal:
    year: int
    credited_hours: Decimal = Decimal(0)
    courses: int = 0
    effective_seconds: int = 0

    @property
    def effective_hours(self) -> Decimal:
        return hours_of(self.effective_seconds)


@dataclass
class LearnerLedger:
    """One learner's figures: effective seconds and credit per course, totals per year."""

    effective_by_course: dict[int, int] = field(default_factory=dict)
    credit_by_enrolment: dict[int, CreditedHours] = field(default_factory=dict)
    years: list[YearTotal] = field(default_factory=list)

    @property
    def credited_hours(self) -> Decimal:
        return sum((c.hours for c in self.credit_by_enrolment.values()), Decimal(0))

    @property
    def effective_hours(self) -> Decimal:
        return hours_of(sum(self.effective_by_course.values()))


def learner_ledger(learner) -> LearnerLedger:
    """Everything 我的学习 shows of the ledger, in four queries."""
    ledger = LearnerLedger()
    days = StudyDay.objects.filter(learner=learner)
    ledger.effective_by_course = dict(
        days.values("course_id").annotate(total=Sum("seconds")).values_list("course_id", "total")
    )
    credits = CreditedHours.objects.filter(learner=learner).select_related("course__provider")
    ledger.credit_by_enrolment = {c.enrolment_id: c for c in credits}
    years: dict[int, YearTotal] = {}
    for year, total in (
        days.annotate(y=ExtractYear("day")).values("y").annotate(total=Sum("seconds")).values_list("y", "total")
    ):
        years.setdefault(year, YearTotal(year)).effective_seconds = total or 0
    per_year = (
        credits.annotate(y=ExtractYear("credited_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("y")
        .annotate(h=Sum("hours"), n=Count("pk"))
    )
    for row in per_year.values_list("y", "h", "n"):
        total = years.setdefault(row[0], YearTotal(row[0]))
        total.credited_hours, total.courses = row[1] or Decimal(0), row[2]
    ledger.years = sorted(years.values(), key=lambda t: t.year, reverse=True)
    return ledger


def credited_list(learner) -> list[CreditedHours]:
    """The learner's credited courses, newest first, each with its `effective_hours` (the ledger page)."""
    credits = list(
        CreditedHours.objects.filter(learner=learner).select_related("course__provider").order_by("-credited_at")
    )
    for credit in credits:
        credit.effective_hours = hours_of(credit.effective_seconds)
    return credits


# ------------------------------------------------------------------ providers' report


def reportable_courses(user):
    """The courses whose learners the user may see: their providers' courses; organisers all."""
    qs = Course.objects.select_related("provider")
    if not is_organiser(user):
        qs = qs.filter(provider_id__in=provider_ids(user))
    return qs


def course_learner_rows(course) -> list[dict]:
    """Per learner of a course: progress, effective time, completion and credited 学时."""
    required = Lesson.objects.filter(course=course, is_required=True).count()
    enrolments = (
        Enrolment.objects.filter(course=course)
        .select_related("learner", "credited_hours")
        .annotate(done=Count("progress", filter=Q(progress__lesson__is_required=True), distinct=True))
        .order_by("-completed_at", "learner__username")
    )
    effective = dict(
        StudyDay.objects.filter(course=course)
        .values("learner_id")
        .annotate(total=Sum("seconds"))
        .values_list("learner_id", "total")
    )
    last_day = dict(
        StudyDay.objects.filter(course=course)
        .values("learner_id")
        .annotate(d=Max("day"))
        .values_list("learner_id", "d")
    )
    rows = []
    for e in enrolments:
        credit = getattr(e, "credited_hours", None)
        seconds = effective.get(e.learner_id, 0) or 0
        rows.append(
            {
                "enrolment": e,
                "learner": e.learner,
                "progress": 100 if e.completed_at else (e.done * 100 // required if required else 0),
                "effective_seconds": seconds,
                "effective_hours": hours_of(seconds),
                "last_day": last_day.get(e.learner_id),
                "completed_at": e.completed_at,
                "credited_hours": credit.hours if credit else None,
            }
        )
    return rows


def enrolment_lesson_rows(enrolment) -> list[dict]:
    """Per lesson of the enrolment's course: effective time of this learner, days studied, done."""
    lessons = Lesson.objects.filter(course_id=enrolment.course_id).order_by("chapter__sort_order", "sort_order", "pk")
    days = StudyDay.objects.filter(learner_id=enrolment.learner_id, course_id=enrolment.course_id)
    per_lesson = defaultdict(lambda: (0, 0))
    for lesson_id, total, count in (
        days.values("lesson_id").annotate(t=Sum("seconds"), n=Count("pk")).values_list("lesson_id", "t", "n")
    ):
        per_lesson[lesson_id] = (total or 0, count)
    done = set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
    return [
        {
            "lesson": lesson,
            "effective_seconds": per_lesson[lesson.pk][0],
            "effective_hours": hours_of(per_lesson[lesson.pk][0]),
            "days": per_lesson[lesson.pk][1],
            "done": lesson.pk in done,
        }
        for lesson in lessons
    ]
