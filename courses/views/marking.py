"""阅卷: provider staff mark the 简答 answers of their own provider's quizzes (organisers: every provider's).

Learners are refused (403); an attempt of another provider's quiz does not exist for its staff (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import is_organiser, is_provider_staff, provider_ids
from courses import quizzes
from courses.models import AttemptStatus, QuizAttempt

from .learner import _error


def _may_mark(user) -> bool:
    return is_organiser(user) or is_provider_staff(user)


@login_required
@require_GET
def marking_list(request):
    if not _may_mark(request.user):
        return _error(request, _("只有培训机构人员可以阅卷"), 403)
    return render(request, "courses/marking_list.html", {"attempts": quizzes.marking_queue(request.user)[:500]})


@login_required
@require_http_methods(["GET", "POST"])
def marking_attempt(request, attempt_id: int):
    if not _may_mark(request.user):
        return _error(request, _("只有培训机构人员可以阅卷"), 403)
    attempt = get_object_or_404(
        _scoped(request.user).select_related("quiz__course__provider", "learner"), pk=attempt_id
    )
    errors = []
    if request.method == "POST":
        try:
            quizzes.quiz_attempt_mark(attempt=attempt, marker=request.user, data=request.POST)
        except PermissionDenied as exc:
            raise Http404 from exc
        except quizzes.QuizRefused as exc:
            return _error(request, exc.messages[0], exc.status)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("评分已保存，成绩已生效"))
            return redirect("courses:marking")
    rows = quizzes.attempt_sheet(attempt, with_answers=True, for_staff=True)
    context = {
        "attempt": attempt,
        "rows": rows,
        "errors": errors,
        "values": request.POST if request.method == "POST" else {},
        "open": attempt.status == AttemptStatus.MARKING,
    }
    return render(request, "courses/marking_attempt.html", context, status=400 if errors else 200)


def _scoped(user):
    """Every attempt of the user's providers' quizzes (marked ones too, to read them back)."""
    attempts = QuizAttempt.objects.filter(submitted_at__isnull=False)
    if not is_organiser(user):
        attempts = attempts.filter(quiz__course__provider_id__in=provider_ids(user))
    return attempts
