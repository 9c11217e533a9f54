"""班级档案 (the class record): what a class was approved with and what its members did, queryable
and traceable after the class.

One read, `class_record(training_class)`, gathers the application with its history, the frozen
roster and resources, and per member: sign-in days, tracked study time on the class's courses
(courses.StudyDay), courses completed and 学时 credited, quiz attempts with the best score on the
final assessment, and certificates. It costs a fixed number of queries whatever the number of
members: every per-member figure is one grouped query over the class's members (a subquery, never
a list of ids).

The class period is the window: study, attempts and completions count from the start date to the
end of the deadline (Asia/Shanghai), so a record stops changing once the deadline has passed. A
member **passed** (and is owed a 培训合格证书) when the class is subsidised, its application approved,
every course of the class completed and the best graded attempt at the assessment quiz reaches the
application's pass mark, all within the window.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from certificates.models import Certificate, CertificateKind
from courses.models import AttemptStatus, Enrolment, QuizAttempt, StudyDay

from .models import (
    ApplicationStatus,
    ClassApplication,
    ClassCourse,
    ClassMember,
    ClassSignIn,
    ClassStatus,
    TrainingClass,
)


def certificate_source(training_class: TrainingClass) -> str:
    """`Certificate.source` of a class's 培训合格证书: one per holder and class."""
    return f"training:{training_class.pk}"


def class_window(training_class: TrainingClass) -> tuple[dt.datetime, dt.datetime]:
    """From the start date's midnight to the end of the deadline day, in the site's time zone."""
    start = timezone.make_aware(dt.datetime.combine(training_class.starts_on, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(training_class.deadline + dt.timedelta(days=1), dt.time.min))
    return start, end


@dataclass
class MemberRow:
    member_id: int
    entry_id: int
    user_id: int | None
    name: str
    id_number_masked: str
    department: str
    job: str
    roster_status: str
    sign_in_days: int = 0
    first_sign_in: dt.date | None = None
    last_sign_in: dt.date | None = None
    study_seconds: int = 0
    courses_done: int = 0
    credited_hours: Decimal = Decimal(0)
    attempts: int = 0
    assessment_attempts: int = 0
    assessment_best: Decimal | None = None
    passed_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    passed: bool = False
    certificate: Certificate | None = None
    completion_certificates: int = 0

    @property
    def study_hours(self) -> Decimal:
        return (Decimal(self.study_seconds) / 3600).quantize(Decimal("0.1"), rounding="ROUND_DOWN")

    @property
    def owed(self) -> bool:
        return self.passed and self.certificate is None


@dataclass
class ClassRecord:
    training_class: TrainingClass
    application: ClassApplication | None
    events: list = field(default_factory=list)
    teachers: list = field(default_factory=list)
    courses: list = field(default_factory=list)  # ClassCourse with course
    members: list[MemberRow] = field(default_factory=list)

    @property
    def issues_certificates(self) -> bool:
        """Whether passing this class earns a 培训合格证书."""
        app = self.application
        return bool(
            self.training_class.subsidised
            and app is not None
            and app.status == ApplicationStatus.APPROVED
            and app.assessment_quiz_id
            and self.training_class.status in (ClassStatus.OPEN, ClassStatus.CLOSED)
        )

    @property
    def read_only(self) -> bool:
        return self.training_class.status == ClassStatus.CLOSED

    @property
    def owed(self) -> list[MemberRow]:
        return [row for row in self.members if row.owed]

    @property
    def passed_count(self) -> int:
        return sum(1 for row in self.members if row.passed)

    @property
    def certified_count(self) -> int:
        return sum(1 for row in self.members if row.certificate is not None)


def _application(training_class: TrainingClass) -> ClassApplication | None:
    return (
        ClassApplication.objects.filter(training_class=training_class)
        .select_related("assessment_quiz__course", "submitted_by", "decided_by")
        .first()
    )


def class_record(training_class: TrainingClass, *, with_history: bool = True) -> ClassRecord:
    """The class record (see the module docstring); 11 queries for any number of members."""
    application = _application(training_class)
    record = ClassRecord(training_class=training_class, application=application)
    if application is not None and with_history:
        record.events = list(application.events.select_related("actor"))
        record.teachers = list(application.teachers.all())
    record.courses = list(ClassCourse.objects.filter(training_class=training_class).select_related("course__provider"))
    members = ClassMember.objects.filter(training_class=training_class).select_related("entry")
    rows = {
        m.pk: MemberRow(
            member_id=m.pk,
            entry_id=m.entry_id,
            user_id=m.entry.user_id,
            name=m.entry.name,
            id_number_masked=m.entry.id_number_masked,
            department=m.entry.department,
            job=m.entry.job,
            roster_status=m.entry.get_status_display(),
        )
        for m in members.order_by("entry__department", "entry__name", "pk")
    }
    record.members = list(rows.values())
    by_user = {row.user_id: row for row in record.members if row.user_id is not None}
    if not rows:
        return record

    user_ids = ClassMember.objects.filter(training_class=training_class, entry__user__isnull=False).values(
        "entry__user_id"
    )
    course_ids = ClassCourse.objects.filter(training_class=training_class).values("course_id")
    start, end = class_window(training_class)

    for s in (
        ClassSignIn.objects.filter(member__training_class=training_class)
        .values("member_id")
        .annotate(days=Count("id"), first=Min("day"), last=Max("day"))
    ):
        row = rows[s["member_id"]]
        row.sign_in_days, row.first_sign_in, row.last_sign_in = s["days"], s["first"], s["last"]

    study = StudyDay.objects.filter(
        learner_id__in=user_ids,
        course_id__in=course_ids,
        day__gte=training_class.starts_on,
        day__lte=training_class.deadline,
    )
    for s in study.values("learner_id").annotate(seconds=Sum("seconds")):
        by_user[s["learner_id"]].study_seconds = s["seconds"] or 0

    done = Q(completed_at__isnull=False, completed_at__lt=end)
    enrolments = Enrolment.objects.filter(learner_id__in=user_ids, course_id__in=course_ids)
    for s in enrolments.values("learner_id").annotate(
        done=Count("id", filter=done), last=Max("completed_at"), hours=Sum("credited_hours__hours")
    ):
        row = by_user[s["learner_id"]]
        row.courses_done = s["done"]
        row.completed_at = s["last"] if s["done"] == len(record.courses) else None
        row.credited_hours = s["hours"] or Decimal(0)

    quiz_id = application.assessment_quiz_id if application else None
    pass_mark = application.pass_mark if application else 101
    graded = Q(status=AttemptStatus.DONE)
    attempts = QuizAttempt.objects.filter(
        learner_id__in=user_ids,
        quiz__course_id__in=course_ids,
        submitted_at__gte=start,
        submitted_at__lt=end,
    )
    for s in attempts.values("learner_id", "quiz_id").annotate(
        n=Count("id"),
        best=Max("percent", filter=graded),
        passed_at=Min("submitted_at", filter=graded & Q(percent__gte=pass_mark)),
    ):
        row = by_user[s["learner_id"]]
        row.attempts += s["n"]
        if s["quiz_id"] == quiz_id:
            row.assessment_attempts, row.assessment_best, row.passed_at = s["n"], s["best"], s["passed_at"]

    certificates = Certificate.objects.filter(holder_id__in=user_ids).filter(
        Q(kind=CertificateKind.TRAINING, source=certificate_source(training_class))
        | Q(kind=CertificateKind.COMPLETION, course_id__in=course_ids)
    )
    for certificate in certificates.only("id", "kind", "number", "code", "holder_id", "status", "issued_at"):
        row = by_user[certificate.holder_id]
        if certificate.kind == CertificateKind.TRAINING:
            row.certificate = certificate
        else:
            row.completion_certificates += 1

    if record.issues_certificates:
        for row in by_user.values():
            row.passed = bool(record.courses) and row.completed_at is not None and row.passed_at is not None
    return record


def programme(record: ClassRecord) -> dict:
    """What a 培训合格证书 of this class says of the programme (certificates.snapshots.training): the
    courses as approved (the application's frozen resources), the dates, the institution."""
    training_class, application = record.training_class, record.application
    courses = application.resources or [
        {"title": c.course.title, "code": c.course.code, "hours": f"{c.course.hours.normalize():f}"}
        for c in record.courses
    ]
    quiz = application.assessment_quiz
    return {
        "class_id": training_class.pk,
        "name": training_class.name,
        "courses": [{"title": c["title"], "code": c["code"], "hours": c["hours"]} for c in courses],
        "starts_on": training_class.starts_on.isoformat(),
        "ends_on": training_class.deadline.isoformat(),
        "institution": (training_class.provider or training_class.organisation).name,
        "organisation": training_class.organisation.name,
        "assessment": f"{quiz.course.title} · {quiz.title}",
        "pass_mark": str(application.pass_mark),
    }
