"""Reads of the employer's reports: the class report (班级学习报表) and the worker report (学员学习档案);
the yearly summary (年度学时汇总) is in yearly.py. Views and exports both read here, so a page and its
XLSX agree.

Query counts do not grow with the number of workers: a class's members are filtered, sorted and
counted in SQL with per-member figures as correlated subqueries (`_with_figures`), and the cells of
the members shown (a page of 50, or an export's chunk of 500) come from four grouped queries
(`course_cells`). The figures:

- progress: required lessons done / required lessons of the course (LessonProgress); a completed
  enrolment counts 100 %;
- tracked time: the StudyDay ledger (effective seconds measured by heartbeats, see docs/study.md);
- credited 学时: CreditedHours, credited once on completion; never mixed with tracked time;
- quiz: the best percent of the graded attempts at the course's final quiz (结业测验), and whether
  one passed; a course without a final quiz shows none;
- certificate: a valid certificate of the learner for the course;
- overdue: the class's deadline has passed (today in Asia/Shanghai is after it) and the course, or
  for a member all courses, is not completed.
A worker without an account yet (an invitation not accepted) has no enrolment: not started.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, CertificateStatus
from courses.ledger import hours_of
from courses.models import AttemptStatus, CreditedHours, Enrolment, LessonProgress, QuizAttempt, StudyDay

from .models import ClassCourse, ClassMember, RosterEntry, TrainingClass
from .permissions import can_manage_roster, classes_visible_to

PAGE_SIZE = 50
CHUNK = 500  # members per round of grouped queries in an export

STATUS_LABELS = {
    "completed": _("已完成"),
    "in_progress": _("学习中"),
    "not_started": _("未开始"),
    "overdue": _("已逾期"),
}
# ?sort= values and what they order by (a leading "-" reverses it); ties go by name, then id.
SORTS = {
    "name": ("entry__name",),
    "department": ("entry__department",),
    "job": ("entry__job",),
    "progress": ("completed_n", "done_n"),
    "hours": ("seconds_n",),
    "credited": ("credited_n",),
}
FIGURE_SORTS = ("progress", "hours", "credited")
# What a row of an export reads of a member (iter_rows loads only these: 200,000 rows of dates unread).
MEMBER_FIELDS = ("training_class_id", "entry_id", *(f"entry__{f}" for f in ("name", "id_number", "department", "job")))
MEMBER_FIELDS += ("entry__user_id", "entry__status", "entry__organisation_id")


def today() -> dt.date:
    """Today in Asia/Shanghai (settings.TIME_ZONE): deadlines are dates there."""
    return timezone.localdate()


def is_past(deadline: dt.date, on: dt.date | None = None) -> bool:
    """A deadline has passed once its day is over: on the deadline itself one is still in time."""
    return (on or today()) > deadline


# ------------------------------------------------------------------ courses and cells


@dataclass(frozen=True)
class CourseColumn:
    """A course assigned to a class, with what its figures need."""

    course_id: int
    code: str
    title: str
    hours: Decimal
    required: int  # required lessons
    final_quiz_id: int | None


def class_courses(class_ids) -> dict[int, list[CourseColumn]]:
    """The assigned courses of each class, in their order, in one query."""
    rows = (
        ClassCourse.objects.filter(training_class_id__in=list(class_ids))
        .annotate(required=Count("course__lessons", filter=Q(course__lessons__is_required=True)))
        .order_by("training_class_id", "position", "pk")
        .values_list(
            "training_class_id",
            "course_id",
            "course__code",
            "course__title",
            "course__hours",
            "required",
            "course__final_quiz_id",
        )
    )
    out: dict[int, list[CourseColumn]] = defaultdict(list)
    for class_id, *column in rows:
        out[class_id].append(CourseColumn(*column))
    return out


@dataclass(slots=True)
class CourseCell:
    """One worker's figures in one assigned course."""

    course: CourseColumn
    enrolled: bool = False
    done: int = 0
    completed_at: dt.datetime | None = None
    seconds: int = 0
    credited: Decimal | None = None
    quiz_best: Decimal | None = None
    quiz_passed: bool | None = None  # None: no graded attempt (or no final quiz)
    certificate: str = ""
    overdue: bool = False

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def percent(self) -> int:
        if self.completed:
            return 100
        return min(100, self.done * 100 // self.course.required) if self.course.required else 0

    @property
    def hours(self) -> Decimal:
        return hours_of(self.seconds)

    @property
    def started(self) -> bool:
        return self.completed or self.done > 0 or self.seconds > 0


@dataclass
class Figures:
    """Grouped figures of a set of learners in a set of courses, looked up per (learner, course)."""

    enrolments: dict = field(default_factory=dict)  # (learner, course) → (done, completed_at, credited)
    seconds: dict = field(default_factory=dict)
    quizzes: dict = field(default_factory=dict)  # (learner, quiz) → (best, passed)
    certificates: dict = field(default_factory=dict)

    def cell(self, learner_id: int | None, course: CourseColumn, *, deadline_passed: bool = False) -> CourseCell:
        cell = CourseCell(course=course)
        if learner_id is not None:
            key = (learner_id, course.course_id)
            if key in self.enrolments:
                cell.enrolled = True
                cell.done, cell.completed_at, cell.credited = self.enrolments[key]
            cell.seconds = self.seconds.get(key, 0)
            if course.final_quiz_id:
                cell.quiz_best, cell.quiz_passed = self.quizzes.get((learner_id, course.final_quiz_id), (None, None))
            cell.certificate = self.certificates.get(key, "")
        cell.overdue = deadline_passed and not cell.completed
        return cell


def course_figures(learner_ids, courses: list[CourseColumn]) -> Figures:
    """Four grouped queries, whatever the number of learners (none when there is nobody to ask about)."""
    learner_ids = sorted({i for i in learner_ids if i is not None})
    course_ids = sorted({c.course_id for c in courses})
    figures = Figures()
    if not learner_ids or not course_ids:
        return figures
    enrolments = (
        Enrolment.objects.filter(learner_id__in=learner_ids, course_id__in=course_ids)
        .annotate(done=Count("progress", filter=Q(progress__lesson__is_required=True)))
        .values_list("learner_id", "course_id", "done", "completed_at", "credited_hours__hours")
    )
    figures.enrolments = {(learner, course): rest for learner, course, *rest in enrolments}
    # The ledger and certificates are asked by learner only (their learner indexes), the courses kept
    # here: with `course_id IN (…)` as well SQLite picks the course index and reads every learner's rows.
    wanted = set(course_ids)
    seconds = (
        StudyDay.objects.filter(learner_id__in=learner_ids)
        .values("learner_id", "course_id")
        .annotate(total=Sum("seconds"))
        .values_list("learner_id", "course_id", "total")
    )
    figures.seconds = {(learner, course): total or 0 for learner, course, total in seconds if course in wanted}
    quiz_ids = sorted({c.final_quiz_id for c in courses if c.final_quiz_id})
    if quiz_ids:
        graded, final = Q(status=AttemptStatus.DONE), set(quiz_ids)  # by learner only, as above
        quizzes = (
            QuizAttempt.objects.filter(learner_id__in=learner_ids)
            .values("learner_id", "quiz_id")
            .annotate(best=Max("percent", filter=graded), passes=Count("pk", filter=graded & Q(passed=True)))
            .values_list("learner_id", "quiz_id", "best", "passes")
        )
        figures.quizzes = {
            (learner, quiz): (best, passes > 0)
            for learner, quiz, best, passes in quizzes
            if quiz in final and best is not None
        }
    certificates = (
        Certificate.objects.filter(holder_id__in=learner_ids, course__isnull=False, status=CertificateStatus.VALID)
        .order_by("issued_at", "pk")
        .values_list("holder_id", "course_id", "number")
    )
    figures.certificates = {(h, c): number for h, c, number in certificates if c in wanted}  # the latest
    return figures


# ------------------------------------------------------------------ the class report


@dataclass
class MemberRow:
    """A member of a class with a cell per assigned course and the totals over them."""

    member: ClassMember
    cells: list[CourseCell]
    deadline_passed: bool

    @property
    def entry(self) -> RosterEntry:
        return self.member.entry

    @property
    def has_account(self) -> bool:
        return self.entry.user_id is not None

    @property
    def done(self) -> int:
        return sum(c.done if not c.completed else max(c.done, c.course.required) for c in self.cells)

    @property
    def required(self) -> int:
        return sum(c.course.required for c in self.cells)

    @property
    def courses_completed(self) -> int:
        return sum(1 for c in self.cells if c.completed)

    @property
    def completed(self) -> bool:
        return bool(self.cells) and self.courses_completed == len(self.cells)

    @property
    def percent(self) -> int:
        if self.completed:
            return 100
        return min(100, self.done * 100 // self.required) if self.required else 0

    @property
    def seconds(self) -> int:
        return sum(c.seconds for c in self.cells)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.seconds)

    @property
    def credited(self) -> Decimal:
        return sum((c.credited or Decimal(0) for c in self.cells), Decimal(0))

    @property
    def status(self) -> str:
        if self.completed:
            return "completed"
        return "in_progress" if any(c.started for c in self.cells) else "not_started"

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def overdue(self) -> bool:
        return self.deadline_passed and not self.completed


def query_text(query, name: str, limit: int = 100) -> str:
    """A filter's text from the query string: trimmed, bounded, without NUL characters (PostgreSQL
    refuses them in a text parameter: a crafted `?q=%00` must filter nothing, not fail)."""
    return (query.get(name) or "").replace("\x00", "").strip()[:limit]


@dataclass
class Filters:
    """What a report page is narrowed and sorted by (?department=&job=&status=&q=&sort=)."""

    department: str = ""
    job: str = ""
    status: str = ""
    q: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, query) -> "Filters":
        def text(name, limit=100):
            return query_text(query, name, limit)

        status = text("status")
        sort = text("sort")
        return cls(
            department=text("department"),
            job=text("job"),
            status=status if status in STATUS_LABELS else "",
            q=text("q", 50),
            sort=sort if sort.lstrip("-") in SORTS else "name",
        )

    def params(self) -> dict:
        return {k: v for k, v in vars(self).items() if v and not (k == "sort" and v == "name")}


def _sub(queryset, group: str, expression, output_field):
    """A correlated per-member total: 0 when there is nothing to add up."""
    value = queryset.order_by().values(group).annotate(v=expression).values("v")[:1]
    return Coalesce(Subquery(value, output_field=output_field), Value(0), output_field=output_field)


def _with_figures(queryset, course_ids: list[int], learner: str = "entry__user_id"):
    """Annotate members with their totals over `course_ids`, for filtering, sorting and the summary.
    These are the same numbers MemberRow adds up from its cells."""
    ref = OuterRef(learner)
    integer, decimal = IntegerField(), DecimalField(max_digits=9, decimal_places=1)
    return queryset.annotate(
        done_n=_sub(
            LessonProgress.objects.filter(
                enrolment__learner_id=ref, enrolment__course_id__in=course_ids, lesson__is_required=True
            ),
            "enrolment__learner_id",
            Count("pk"),
            integer,
        ),
        completed_n=_sub(
            Enrolment.objects.filter(learner_id=ref, course_id__in=course_ids, completed_at__isnull=False),
            "learner_id",
            Count("pk"),
            integer,
        ),
        seconds_n=_sub(
            StudyDay.objects.filter(learner_id=ref, course_id__in=course_ids), "learner_id", Sum("seconds"), integer
        ),
        credited_n=_sub(
            CreditedHours.objects.filter(learner_id=ref, course_id__in=course_ids), "learner_id", Sum("hours"), decimal
        ),
    )


def _completed_q(courses: int) -> Q:
    return Q(completed_n__gte=courses) if courses else Q(completed_n__lt=0)  # no course: nobody is done


_STARTED_Q = Q(done_n__gt=0) | Q(seconds_n__gt=0) | Q(completed_n__gt=0)


class ClassReport:
    """The class report of one class: its courses, its summary, its members filtered and sorted."""

    def __init__(self, training_class: TrainingClass, filters: Filters | None = None, *, on=None, courses=None):
        self.training_class = training_class
        self.filters = filters or Filters()
        self.deadline_passed = is_past(training_class.deadline, on)
        if courses is None:
            courses = class_courses([training_class.pk]).get(training_class.pk, [])
        self.courses: list[CourseColumn] = courses

    def members(self, *, figures: bool = True):
        """Every member of the class, with the figures to filter and sort by (not yet filtered)."""
        queryset = ClassMember.objects.filter(training_class=self.training_class).select_related("entry")
        return _with_figures(queryset, [c.course_id for c in self.courses]) if figures else queryset

    def filtered(self):
        f = self.filters
        # The per-member figures cost a few correlated subqueries a member: only when a filter or the
        # order needs them (not for the default page, sorted by name).
        needs_figures = f.status or f.sort.lstrip("-") in FIGURE_SORTS
        queryset = self.members() if needs_figures else self.members(figures=False)
        if f.department:
            queryset = queryset.filter(entry__department=f.department)
        if f.job:
            queryset = queryset.filter(entry__job=f.job)
        if f.q:
            queryset = queryset.filter(entry__name__icontains=f.q)
        completed = _completed_q(len(self.courses))
        if f.status == "completed":
            queryset = queryset.filter(completed)
        elif f.status == "in_progress":
            queryset = queryset.filter(_STARTED_Q).exclude(completed)
        elif f.status == "not_started":
            queryset = queryset.exclude(_STARTED_Q).exclude(completed)
        elif f.status == "overdue":
            queryset = queryset.exclude(completed) if self.deadline_passed else queryset.none()
        sign = "-" if f.sort.startswith("-") else ""
        fields = [sign + name for name in SORTS[f.sort.lstrip("-")]]
        return queryset.order_by(*fields, *(t for t in ("entry__name", "pk") if t not in fields))

    def summary(self) -> dict:
        figures = self.members().aggregate(
            members=Count("pk"),
            completed=Count("pk", filter=_completed_q(len(self.courses))),
            started=Count("pk", filter=_STARTED_Q),
            seconds=Sum("seconds_n"),
            credited=Sum("credited_n"),
        )
        members, completed = figures["members"], figures["completed"]
        seconds, credited = figures["seconds"] or 0, figures["credited"] or Decimal(0)
        return {
            "members": members,
            "completed": completed,
            "in_progress": figures["started"] - completed,
            "not_started": members - figures["started"],
            "overdue": members - completed if self.deadline_passed else 0,
            "hours": hours_of(seconds),
            "average_hours": hours_of(seconds // members) if members else Decimal(0),
            "credited": credited,
            "average_credited": (Decimal(credited) / members).quantize(Decimal("0.1")) if members else Decimal(0),
        }

    def choices(self) -> tuple[list[str], list[str]]:
        """The departments and jobs of the class's members, for the filters."""
        pairs = (
            ClassMember.objects.filter(training_class=self.training_class)
            .values_list("entry__department", "entry__job")
            .distinct()
        )
        departments, jobs = set(), set()
        for department, job in pairs:
            departments.add(department)
            jobs.add(job)
        return sorted(d for d in departments if d), sorted(j for j in jobs if j)

    def rows(self, members) -> list[MemberRow]:
        """MemberRows of the given members (a page: one round of grouped queries)."""
        members = list(members)
        figures = course_figures((m.entry.user_id for m in members), self.courses)
        return [self._row(m, figures) for m in members]

    def _row(self, member, figures: Figures) -> MemberRow:
        cells = [figures.cell(member.entry.user_id, c, deadline_passed=self.deadline_passed) for c in self.courses]
        return MemberRow(member=member, cells=cells, deadline_passed=self.deadline_passed)

    def iter_rows(self, queryset=None, chunk: int = CHUNK):
        """Every row of `queryset` (the filtered members by default) in its order, `chunk` members at a time."""
        queryset = self.filtered() if queryset is None else queryset
        ids = list(queryset.values_list("pk", flat=True))
        plain = ClassMember.objects.select_related("entry").only(*MEMBER_FIELDS)
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            by_id = plain.in_bulk(part)
            yield from self.rows(by_id[i] for i in part if i in by_id)


# ------------------------------------------------------------------ the worker report


@dataclass
class WorkerClass:
    """A class the worker is in, with a cell per assigned course."""

    training_class: TrainingClass
    cells: list[CourseCell]

    @property
    def overdue(self) -> bool:
        return any(c.overdue for c in self.cells)


def worker_classes(entry: RosterEntry, user, *, on: dt.date | None = None) -> list[WorkerClass] | None:
    """The classes of the worker that `user` may see, or None when `user` may not see the worker at all
    (neither a manager of the worker's organisation nor someone who sees one of the worker's classes)."""
    visible = classes_visible_to(user).filter(members__entry=entry)
    classes = list(visible.select_related("organisation", "provider").order_by("-starts_on", "name"))
    if not classes and not can_manage_roster(user, entry.organisation_id):
        return None
    courses = class_courses(c.pk for c in classes)
    figures = course_figures([entry.user_id], [c for cs in courses.values() for c in cs])
    out = []
    for training_class in classes:
        passed = is_past(training_class.deadline, on)
        cells = [figures.cell(entry.user_id, c, deadline_passed=passed) for c in courses.get(training_class.pk, [])]
        out.append(WorkerClass(training_class=training_class, cells=cells))
    return out


# ------------------------------------------------------------------ the index


def visible_classes(user):
    """The classes `user` may report on, with their member and course counts."""
    return (
        classes_visible_to(user)
        .select_related("organisation", "provider")
        .annotate(  # subqueries, not a join of members × courses per class
            member_count=_sub(
                ClassMember.objects.filter(training_class=OuterRef("pk")), "training_class", Count("pk"), IntegerField()
            ),
            course_count=_sub(
                ClassCourse.objects.filter(training_class=OuterRef("pk")), "training_class", Count("pk"), IntegerField()
            ),
        )
        .order_by("-starts_on", "name")
    )


def reportable_organisations(user):
    """Organisations whose yearly summary and whole export `user` may take: those with classes whose
    training manager the user is; organisers every organisation with a class."""
    from organisations.models import Organisation

    ids = TrainingClass.objects.values("organisation_id")
    return [o for o in Organisation.objects.filter(pk__in=ids).order_by("name") if can_manage_roster(user, o.pk)]
