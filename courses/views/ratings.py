"""Course ratings: a learner rates a course they completed (and edits it); 课程评价 in the admin, where
the course's provider staff and organisers hide a rating with a reason or show it again.

Scoped on the server: only a learner with a completed enrolment may rate (403 otherwise, whatever
the form carries: the rating is always the signed-in learner's own); a rating of another provider's
course is a 404 to its staff.
"""

import django_filters

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from accounts.roles import is_organiser, is_provider_staff
from courses import ratings
from courses.forms import RatingForm, RatingModerationForm
from courses.models import Course, CourseRating
from courses.permissions import scoped_to_user

# ------------------------------------------------------------------ learners


def _course_url(course) -> str:
    page = getattr(course, "page", None)
    return page.url if page and page.live else reverse("courses:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def rate(request, course_id: int):
    """The learner's own rating of a course: GET shows the form, POST saves it (400 with the errors)."""
    course = get_object_or_404(Course.objects.select_related("page"), pk=course_id)
    if not ratings.may_rate(request.user, course.pk):
        message = _("完成课程后才能评分")
        return render(request, "courses/error.html", {"message": message, "course": course}, status=403)
    own = CourseRating.objects.filter(course=course, learner=request.user).first()
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                ratings.rating_save(
                    learner=request.user,
                    course=course,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied as exc:
                context = {"message": str(exc) or _("完成课程后才能评分"), "course": course}
                return render(request, "courses/error.html", context, status=403)
            else:
                messages.success(request, _("感谢您的评价！") if own is None else _("评价已更新"))
                return redirect(_course_url(course) + "#ratings")
        status = 400
    else:
        form = RatingForm(initial={"score": str(own.score), "comment": own.comment} if own else None)
    context = {"course": course, "form": form, "own_rating": own, "course_url": _course_url(course)}
    return render(request, "courses/rating.html", context, status=status)


# ------------------------------------------------------------------ moderation (admin)


def _courses(request):
    return scoped_to_user(Course.objects.all(), getattr(request, "user", None), "provider")


class RatingFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(label=gettext_lazy("课程"), queryset=_courses)
    score = django_filters.ChoiceFilter(label=gettext_lazy("评分"), choices=[(n, str(n)) for n in range(1, 6)])
    is_hidden = django_filters.BooleanFilter(label=gettext_lazy("已隐藏"))

    class Meta:
        model = CourseRating
        fields = ["course", "score", "is_hidden"]


def _status(rating) -> str:
    return _("已隐藏：%(reason)s") % {"reason": rating.hidden_reason} if rating.is_hidden else _("显示中")


class _ModeratorOnly:
    def dispatch(self, request, *args, **kwargs):
        if not (is_organiser(request.user) or is_provider_staff(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RatingListView(_ModeratorOnly, ReportView):
    """课程评价: the ratings of the user's providers' courses (all for organisers), newest first."""

    page_title = gettext_lazy("课程评价")
    header_icon = "pick"
    paginate_by = 50
    index_url_name = "course_ratings:index"
    index_results_url_name = "course_ratings:results"
    filterset_class = RatingFilterSet

    columns = [
        TitleColumn(
            "course",
            label=gettext_lazy("课程"),
            accessor=lambda rating: rating.course.title,
            get_url=lambda rating: reverse("course_ratings:moderate", args=[rating.pk]),
        ),
        Column("learner", label=gettext_lazy("学员"), accessor=lambda r: r.learner.real_name or r.learner.username),
        Column("score", label=gettext_lazy("评分")),
        Column("comment", label=gettext_lazy("评价"), accessor=lambda r: r.comment[:60]),
        Column("status", label=gettext_lazy("状态"), accessor=_status),
        Column("updated_at", label=gettext_lazy("修改时间"), accessor=lambda r: timezone.localtime(r.updated_at)),
    ]

    def get_queryset(self):
        return ratings.ratings_for(self.request.user).order_by("-updated_at", "-pk")


class RatingModerateView(_ModeratorOnly, WagtailAdminTemplateMixin, TemplateView):
    """One rating: hide it with a reason, or show it again."""

    template_name = "courses/rating_moderate.html"
    header_icon = "pick"
    page_title = gettext_lazy("处理评价")

    @cached_property
    def rating(self):
        return get_object_or_404(ratings.ratings_for(self.request.user), pk=self.kwargs["pk"])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("course_ratings:index"), "label": _("课程评价")},
            {"url": None, "label": self.rating.course.title},
        ]

    def get_context_data(self, form=None, **kwargs):
        form = form or RatingModerationForm(initial={"action": "show" if self.rating.is_hidden else "hide"})
        return super().get_context_data(rating=self.rating, form=form, **kwargs)

    def post(self, request, *args, **kwargs):
        rating = self.rating  # another provider's rating is a 404 before anything is read
        form = RatingModerationForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["action"] == "hide":
                    ratings.rating_hide(rating=rating, by=request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, _("评价已隐藏，不再计入平均分"))
                else:
                    ratings.rating_show(rating=rating, by=request.user)
                    messages.success(request, _("评价已恢复显示"))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("course_ratings:index")
        return self.render_to_response(self.get_context_data(form=form), status=400)
