"""Reads of learning paths (专题, courses/models/paths.py): a learner's progress along a path, for its
page, for the /paths/ index and for the path certificate (certificates/paths.py).

Progress comes from the learner's enrolments in the path's courses, in a fixed number of queries
whatever the number of steps: the steps with their courses, then the learner's enrolments with
their required lessons done (and one for their path certificates).

The rule of completion: a path is complete when every required step's course is completed (a path
with no step marked required asks for all of them). Optional steps count in the list, not in the
progress bar or the certificate's condition.

This module imports no page model (the pages call it); it reads a path's steps through `page.steps`.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.identity import identity_labels, identity_missing
from certificates.models import Certificate

from .models.catalogue import Course
from .models.content import Lesson
from .models.learning import Enrolment, LessonProgress

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATUS_LABELS = {NOT_STARTED: _("未开始"), IN_PROGRESS: _("学习中"), COMPLETED: _("已完成")}
INDEX_PAGE_SIZE = 24


def certificate_source(page_id: int) -> str:
    """The `Certificate.source` of a path's certificate: one per holder and path."""
    return f"path:{page_id}"


@dataclass
class StepProgress:
    course: Course
    required: bool
    status: str = NOT_STARTED
    percent: int = 0
    completed_at: dt.datetime | None = None
    url: str = ""  # the course's live page, "" when it has none

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class PathProgress:
    steps: list[StepProgress] = field(default_factory=list)

    @property
    def counted(self) -> list[StepProgress]:
        """The steps the certificate asks for: the required ones, or every step when none is."""
        required = [step for step in self.steps if step.required]
        return required or list(self.steps)

    @property
    def required_total(self) -> int:
        return len(self.counted)

    @property
    def required_done(self) -> int:
        return sum(1 for step in self.counted if step.status == COMPLETED)

    @property
    def percent(self) -> int:
        counted = self.counted
        return sum(step.percent for step in counted) // len(counted) if counted else 0

    @property
    def complete(self) -> bool:
        return bool(self.counted) and all(step.status == COMPLETED for step in self.counted)

    @property
    def started(self) -> bool:
        return any(step.status != NOT_STARTED for step in self.steps)

    @property
    def completed_at(self) -> dt.datetime | None:
        """When the last required course was completed (None while the path is not complete)."""
        return max(step.completed_at for step in self.counted) if self.complete else None

    @property
    def identity_required(self) -> bool:
        return bool(settings.CERTIFICATE_REQUIRES_IDENTITY) or any(s.course.requires_identity for s in self.steps)


def enrolment_figures(learner, course_ids) -> dict[int, tuple[int, dt.datetime | None]]:
    """course id → (percent, completed_at) of the learner's enrolments in these courses; one query.

    The percent is the share of required lessons done (99 while only the final quiz is left, 100
    once completed), as on 我的学习."""
    if not learner or not learner.is_authenticated or not course_ids:
        return {}
    required = Lesson.objects.filter(course=OuterRef("course"), is_required=True).values("course")
    required = required.annotate(n=Count("pk")).values("n")
    done = LessonProgress.objects.filter(enrolment=OuterRef("pk"), lesson__is_required=True).values("enrolment")
    done = done.annotate(n=Count("pk")).values("n")
    rows = (
        Enrolment.objects.filter(learner=learner, course_id__in=course_ids)
        .annotate(
            required_total=Coalesce(Subquery(required, output_field=IntegerField()), 0),
            required_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        )
        .values_list("course_id", "completed_at", "required_total", "required_done")
    )
    figures = {}
    for course_id, completed_at, total, done_count in rows:
        partial = min(99, done_count * 100 // total) if total else 0
        figures[course_id] = (100 if completed_at else partial, completed_at)
    return figures


def _course_url(course, request) -> str:
    try:
        page = course.page
    except Course.page.RelatedObjectDoesNotExist:  # a course without a catalogue page yet
        return ""
    return page.get_url(request) if page.live else ""


def progress_of(steps, figures, request=None) -> PathProgress:
    """Steps (each with `course` and `required`, in order) and a learner's enrolment figures → the
    progress; a course listed twice counts once (required if either says so)."""
    progress, seen = PathProgress(), {}
    for step in steps:
        if step.course_id in seen:
            seen[step.course_id].required |= step.required
            continue
        percent, completed_at = figures.get(step.course_id, (None, None))
        item = StepProgress(course=step.course, required=step.required, url=_course_url(step.course, request))
        if completed_at:
            item.status, item.percent, item.completed_at = COMPLETED, 100, completed_at
        elif percent is not None:
            item.status, item.percent = IN_PROGRESS, percent
        seen[step.course_id] = item
        progress.steps.append(item)
    return progress


def path_steps(page) -> list:
    """A path's steps in order with their courses, providers and course pages: one query."""
    return list(page.steps.select_related("course__provider", "course__page").order_by("sort_order", "pk"))


def path_progress(*, page, learner, request=None) -> PathProgress:
    """A learner's progress along one path: two queries (one for an anonymous visitor)."""
    steps = path_steps(page)
    return progress_of(steps, enrolment_figures(learner, {step.course_id for step in steps}), request)


def path_page_context(request, *, page) -> dict:
    """The path page: its steps with the learner's progress, and their certificate. Three queries."""
    user = request.user
    progress = path_progress(page=page, learner=user, request=request)
    context = {"progress": progress, "certificate": None, "identity_missing": []}
    if user.is_authenticated and progress.complete:
        context["certificate"] = Certificate.objects.filter(holder=user, source=certificate_source(page.pk)).first()
        if context["certificate"] is None and progress.identity_required:
            context["identity_missing"] = identity_labels(identity_missing(user))
    return context


def index_context(request, *, pages) -> dict:
    """The /paths/ index: live paths, newest first, each with the learner's progress and certificate.

    A fixed number of queries for a page of paths: the paths and their count, their steps, the
    courses of those steps, the learner's enrolments in them and their path certificates."""
    pages = pages.order_by("-first_published_at", "pk").prefetch_related("steps")
    paginator = Paginator(pages, INDEX_PAGE_SIZE, allow_empty_first_page=True)
    page_obj = paginator.get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    steps = {p.pk: sorted(p.steps.all(), key=lambda s: (s.sort_order or 0, s.pk)) for p in shown}
    course_ids = {step.course_id for rows in steps.values() for step in rows}
    courses = Course.objects.select_related("provider", "page").in_bulk(course_ids)
    for rows in steps.values():
        for step in rows:
            step.course = courses[step.course_id]
    user = request.user
    figures = enrolment_figures(user, course_ids)
    certificates = {}
    if user.is_authenticated and shown:
        sources = {certificate_source(p.pk): p.pk for p in shown}
        for certificate in Certificate.objects.filter(holder=user, source__in=sources):
            certificates[sources[certificate.source]] = certificate
    rows = [
        {
            "page": p,
            "url": p.get_url(request),
            "progress": progress_of(steps[p.pk], figures, request),
            "certificate": certificates.get(p.pk),
        }
        for p in shown
    ]
    page_range = list(paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))
    return {"paths": rows, "paths_page": page_obj, "paginator": paginator, "page_range": page_range}
