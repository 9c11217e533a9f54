from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.identity import identity_labels, identity_missing
from accounts.roles import is_organiser, is_provider_staff
from certificates.forms import StudyHoursForm
from certificates.models import Certificate
from courses import ledger, quizzes, selectors, services
from courses.models import AttemptStatus, Course, Enrolment, Lesson, QuizAttempt
from courses.study.policy import study_page_context


def _error(request, message, status, course=None):
    return render(request, "courses/error.html", {"message": message, "course": course}, status=status)


def _course_url(course) -> str:
    page = getattr(course, "page", None)
    return page.url if page and page.live else "/"


@login_required
@require_GET
def dashboard(request):
    rows = selectors.dashboard_rows(request.user)
    figures = ledger.learner_ledger(request.user)
    completed = [row["enrolment"].pk for row in rows if row["enrolment"].completed_at]
    certificates = {
        c.enrolment_id: c for c in Certificate.objects.filter(enrolment_id__in=completed, holder=request.user)
    }
    held = set(Enrolment.objects.filter(pk__in=completed, certificate_hold__isnull=False).values_list("pk", flat=True))
    for row in rows:
        enrolment = row["enrolment"]
        seconds = figures.effective_by_course.get(enrolment.course_id) or 0
        row["effective_hours"] = ledger.hours_of(seconds)
        row["effective_minutes"] = seconds // 60 if seconds < 3600 else None  # under an hour: in minutes
        row["credit"] = figures.credit_by_enrolment.get(enrolment.pk)
        if enrolment.completed_at:
            row["certificate"] = certificates.get(enrolment.pk)
            row["identity_held"] = enrolment.pk in held and row["certificate"] is None
        else:
            row["next"] = selectors.next_step(enrolment)
    context = {"rows": rows, "ledger": figures, "identity_missing": []}
    if held:
        context["identity_missing"] = identity_labels(identity_missing(request.user))
    return render(request, "courses/dashboard.html", context)


@login_required
@require_GET
def hours(request):
    """我的学时: the credited courses with their dates, totals per year, and the 学时证明 request."""
    figures = ledger.learner_ledger(request.user)
    context = {"ledger": figures, "credits": ledger.credited_list(request.user), "form": StudyHoursForm()}
    return render(request, "courses/hours.html", context)


@login_required
@require_POST
def enrol(request, course_id: int):
    course = get_object_or_404(Course.objects.select_related("page"), pk=course_id)
    try:
        services.enrolment_create(learner=request.user, course=course)
    except ValidationError as exc:
        return _error(request, exc.messages[0], 400, course)
    messages.success(request, _("报名成功，开始学习吧！"))
    return redirect(_course_url(course))


def _lesson_context(request, lesson_id: int):
    lesson = get_object_or_404(Lesson.objects.select_related("course__page", "chapter", "video", "quiz"), pk=lesson_id)
    enrolment = Enrolment.objects.select_related("course").filter(learner=request.user, course=lesson.course).first()
    if enrolment is None:
        raise PermissionDenied(_("请先报名该课程，再开始学习"))
    lessons = selectors.ordered_lessons(lesson.course_id)
    state = selectors.enrolment_state(enrolment, lessons)
    if lesson.pk not in state.unlocked_ids:
        raise ValidationError(_("请先完成前面的必修课时"))
    return lesson, enrolment, lessons, state


def _best_attempt(enrolment, quiz_id: int):
    """The best marked attempt; else the latest one waiting for marks (its score is not known yet)."""
    submitted = QuizAttempt.objects.filter(enrolment=enrolment, quiz_id=quiz_id, submitted_at__isnull=False)
    return (
        submitted.filter(status=AttemptStatus.DONE).order_by("-percent", "-submitted_at").first()
        or submitted.filter(status=AttemptStatus.MARKING).order_by("-submitted_at").first()
    )


@login_required
@require_GET
def lesson_detail(request, lesson_id: int):
    try:
        lesson, enrolment, lessons, state = _lesson_context(request, lesson_id)
    except PermissionDenied as exc:
        return _error(request, str(exc), 403, Lesson.objects.filter(pk=lesson_id).first().course)
    except ValidationError as exc:
        return _error(request, exc.messages[0], 403, Lesson.objects.get(pk=lesson_id).course)
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "enrolment": enrolment,
        "state": state,
        "lessons": lessons,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "documents": lesson.documents.all(),
        "video_embed": selectors.video_embed_html(lesson.video_url) if lesson.video_url and not lesson.video else "",
        "done": lesson.pk in state.done_ids,
        "once_done": None
        if lesson.pk in state.done_ids
        else selectors.enrolment_state_once_done(
            state, lessons, lesson_id=lesson.pk, sequential=lesson.course.sequential
        ),
        "study": study_page_context(enrolment=enrolment, lesson=lesson),
        "best_attempt": _best_attempt(enrolment, lesson.quiz_id) if lesson.quiz_id else None,
        "quiz_state": quizzes.quiz_status(enrolment=enrolment, quiz=lesson.quiz) if lesson.quiz_id else None,
    }
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def lesson_complete(request, lesson_id: int):
    lesson = get_object_or_404(Lesson.objects.select_related("course__page"), pk=lesson_id)
    try:
        enrolment = services.lesson_complete(learner=request.user, lesson=lesson)
    except PermissionDenied as exc:
        return _error(request, str(exc) or _("请先报名该课程"), 403, lesson.course)
    except ValidationError as exc:
        return _error(request, exc.messages[0], 400, lesson.course)
    if enrolment.completed_at:
        messages.success(request, _("恭喜！您已完成本课程。"))
    nxt = selectors.next_step(enrolment)
    return redirect("courses:lesson", lesson_id=nxt.pk) if nxt else redirect("courses:dashboard")


@login_required
@require_GET
def provider_stats(request):
    if not (is_organiser(request.user) or is_provider_staff(request.user)):
        return _error(request, _("只有培训机构人员和组织者可以查看课程数据"), 403)
    return render(request, "courses/provider_stats.html", {"courses": selectors.provider_course_stats(request.user)})
