"""Admin views for the course records, scoped to the editor's providers on the server.

Wagtail's generic model views check model-level permissions only. The subclasses here
take every object and every listing from the model's permission policy
(courses.permissions), so a record of another provider is not found (404) on any
URL — edit, delete, history, usage, inspect, chooser — and saving re-checks the instance.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton

from accounts.roles import is_organiser, is_provider_staff
from cms.spreadsheets import NeutralisedExportMixin
from courses import holds, selectors, services
from courses.changes import records as change_records
from courses.changes import services as changes
from courses.forms import ProviderStaffAddForm
from courses.models import CoursePage, Provider, Question, QuestionKind
from courses.permissions import policy_for

ANY_ACTION = ["add", "change", "delete", "view"]


class ScopedObjectMixin:
    """Objects come from the policy's queryset for this user; anything else is a 404."""

    object_action = "change"

    def scoped_queryset(self, actions=None):
        user = self.request.user
        return policy_for(self.model).instances_user_has_any_permission_for(user, actions or ANY_ACTION)

    def check_instance(self, instance, action=None):
        if not policy_for(self.model).user_has_permission_for_instance(
            self.request.user, action or self.object_action, instance
        ):
            raise PermissionDenied
        return instance


class ScopedIndexView(ScopedObjectMixin, NeutralisedExportMixin, generic.IndexView):
    list_select_related = ()

    def get_base_queryset(self):
        queryset = self.scoped_queryset(self.any_permission_required)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset


class ReviewedWriteMixin:
    """遴选 of the records (courses/changes): a write that must wait for an organiser is kept in the
    course's change set instead of reaching the live record, and the editor is taken to that set."""

    def review_needed(self, instance) -> bool:
        return changes.needs_review(user=self.request.user, instance=instance)

    def record_change(self, form, *, delete=False):
        instance = self.object if delete else form.save(commit=False)  # no database write: children in memory
        kind = change_records.kind_of(instance)
        m2m = None
        if not delete:
            m2m = {
                name: form.cleaned_data[name] for name in change_records.M2M.get(kind, ()) if name in form.cleaned_data
            }
        change = changes.change_record(user=self.request.user, instance=instance, m2m=m2m, delete=delete)
        if change.pk is None:
            messages.info(self.request, _("内容与线上一致，没有待审核的修改。"))
            return redirect(self.get_success_url())
        messages.success(self.request, REVIEW_SAVED)
        return redirect("course_changes:detail", change.pk)


REVIEW_NOTICE = _("本课程已向学员公开：您的修改将先保存为待审核的修改，经组织者审核通过后才对学员生效。")
REVIEW_SAVED = _("修改已保存，尚未对学员生效。请在“课程修改审核”中提交组织者审核。")


class ScopedCreateView(ReviewedWriteMixin, ScopedObjectMixin, generic.CreateView):
    page_title = _("新建")

    def form_valid(self, form):
        if not self.review_needed(form.instance):
            return super().form_valid(form)
        self.form = form
        self.check_instance(form.instance, "add")
        try:
            return self.record_change(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)

    def save_instance(self):
        # The form has already limited every choice; this re-checks the finished record.
        self.check_instance(self.form.instance, "add")
        return super().save_instance()


class ScopedEditView(ReviewedWriteMixin, ScopedObjectMixin, generic.EditView):
    def get_queryset(self):
        return self.scoped_queryset(["change"])

    def get_object(self, queryset=None):
        instance = self.check_instance(super().get_object(queryset), "change")
        self.pending = changes.pending_values(instance) if self.review_needed(instance) else None
        if self.pending is not None:
            change_records.overlay(instance, self.pending)  # the editor goes on from what waits for review
        return instance

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        pending = getattr(self, "pending", None)
        kind = change_records.kind_of(self.model)
        if pending is not None:
            kwargs["initial"] = {
                **kwargs.get("initial", {}),
                **{name: pending[name] for name in change_records.M2M.get(kind, ()) if name in pending},
            }
        return kwargs

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.review_needed(self.object):
            messages.warning(request, REVIEW_NOTICE)
        return response

    def form_valid(self, form):
        if not self.review_needed(form.instance):
            return super().form_valid(form)
        self.form = form
        self.check_instance(form.instance, "change")
        try:
            return self.record_change(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)

    def save_instance(self):
        self.check_instance(self.form.instance, "change")
        return super().save_instance()


class ScopedDeleteView(ReviewedWriteMixin, ScopedObjectMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset(["delete"])

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.check_instance(super().get_object(queryset), "delete")

    def form_valid(self, form):
        # A course with a page is never deleted (its page protects it); its records wait for review.
        if change_records.kind_of(self.model) not in (None, "course") and self.review_needed(self.object):
            return self.record_change(form, delete=True)
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, _("该记录仍被其他内容引用（如目录页面、报名或测验记录），不能删除。"))
            return redirect(self.get_success_url())


class QuestionDeleteView(ScopedDeleteView):
    """A question another app holds (a contest paper) is not deleted: the reason is shown instead."""

    def get(self, request, *args, **kwargs):
        refusal = holds.question_delete_refusal(self.object)
        if refusal:
            messages.error(request, refusal)
            return redirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        refusal = holds.question_delete_refusal(self.object)
        if refusal:
            messages.error(self.request, refusal)
            return redirect(self.get_success_url())
        return super().form_valid(form)


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedUsageView(ScopedObjectMixin, UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=self.pk)


# ------------------------------------------------------------------ courses


class CourseCreateView(ScopedCreateView):
    def save_instance(self):
        course = super().save_instance()
        # A new course gets a draft catalogue page under its provider's page.
        services.course_page_ensure(course=course, publish=False, user=self.request.user)
        return course


class CourseEditView(ScopedEditView):
    def save_instance(self):
        course = super().save_instance()
        # Keep the page title in step with the course (and create the page if it is missing).
        if "title" in self.form.changed_data or not CoursePage.objects.filter(course=course).exists():
            services.course_page_ensure(course=course, publish=False, user=self.request.user)
        return course

    @cached_property
    def header_buttons(self):
        page = getattr(self.object, "page", None)
        if page is None:
            return []
        buttons = [
            HeaderButton(
                label=_("在目录中发布/查看页面"),
                url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                icon_name="doc-empty",
            )
        ]
        if page.live and (url := page.get_url(self.request)):
            buttons.append(HeaderButton(label=_("查看线上页面"), url=url, icon_name="link-external"))
        return buttons


class ProviderCreateView(ScopedCreateView):
    def save_instance(self):
        provider = super().save_instance()
        services.provider_setup(provider=provider)  # its page, media collection and group
        return provider

    def form_valid(self, form):
        try:
            return super().form_valid(form)  # saves inside a transaction, so a refusal leaves nothing behind
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class FeaturedCourseCreateView(ScopedCreateView):
    def save_instance(self):
        self.form.instance.selected_by = self.request.user  # who chose it, shown in the listing
        return super().save_instance()


class ProviderIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if is_organiser(self.request.user):
            url = reverse("courses_provider:staff", args=[instance.pk])
            buttons.append(MenuItem(_("机构人员"), url=url, icon_name="group", priority=15))
        return buttons


class ProviderEditView(ScopedEditView):
    def save_instance(self):
        provider = super().save_instance()
        if {"name", "trusted"} & set(self.form.changed_data):
            # The page title and collection name follow a new name; the group's publish right follows trust.
            services.provider_setup(provider=provider)
        return provider

    @cached_property
    def header_buttons(self):
        if not is_organiser(self.request.user):
            return []
        url = reverse("courses_provider:staff", args=[self.object.pk])
        return [HeaderButton(label=_("机构人员"), url=url, icon_name="group")]


class ProviderStaffView(WagtailAdminTemplateMixin, TemplateView):
    """机构人员: who authors a provider's courses. Organisers add accounts and take them off."""

    template_name = "courses/provider_staff.html"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not is_organiser(request.user):
            raise PermissionDenied
        self.provider = get_object_or_404(Provider, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("%(provider)s · 机构人员") % {"provider": self.provider.short_name or self.provider.name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("courses_provider:index"), "label": _("培训机构")},
            {"url": reverse("courses_provider:edit", args=[self.provider.pk]), "label": self.provider.name},
            {"url": None, "label": self.get_page_title()},
        ]

    def get_context_data(self, form=None, **kwargs):
        members = self.provider.memberships.select_related("user").order_by("created_at")
        return super().get_context_data(form=form or ProviderStaffAddForm(), members=members, **kwargs)

    def post(self, request, *args, **kwargs):
        if "remove" in request.POST:
            pk = request.POST["remove"]
            user = get_object_or_404(get_user_model(), pk=int(pk) if pk.isdigit() else None)
            if services.provider_member_remove(provider=self.provider, user=user):
                messages.success(request, _("已将 %(name)s 移出本机构") % {"name": _display_name(user)})
            return redirect("courses_provider:staff", self.provider.pk)
        form = ProviderStaffAddForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        user = form.cleaned_data["account"]
        name = _display_name(user)
        if self.provider.memberships.filter(user=user).exists():
            messages.info(request, _("%(name)s 已是本机构人员") % {"name": name})
        else:
            services.provider_member_add(provider=self.provider, user=user)
            messages.success(request, _("已将 %(name)s 加入本机构，可编辑本机构的课程和题库") % {"name": name})
        return redirect("courses_provider:staff", self.provider.pk)


def _display_name(user) -> str:
    return f"{user.real_name}（{user.username}）" if user.real_name else user.username


# ------------------------------------------------------------------ figures


def _completion_rate(course) -> str:
    return f"{course.completed * 100 // course.enrolled}%" if course.enrolled else "—"


class CourseStatsView(NeutralisedExportMixin, ReportView):
    """Enrolment and completion per course: staff see their providers' courses, organisers all."""

    page_title = _("课程数据")
    header_icon = "table"
    paginate_by = 50
    index_url_name = "course_stats:index"
    index_results_url_name = "course_stats:results"
    list_export = ["provider.name", "code", "title", "enrolled", "completed", "completion_rate"]
    export_headings = {
        "provider.name": _("培训机构"),
        "code": _("课程编号"),
        "title": _("课程名称"),
        "enrolled": _("报名人数"),
        "completed": _("结业人数"),
        "completion_rate": _("结业率"),
    }
    export_filename = "course-stats"

    columns = [
        Column("provider", label=_("培训机构"), accessor="provider.name"),
        Column("code", label=_("课程编号")),
        TitleColumn(
            "title", label=_("课程名称"), get_url=lambda course: reverse("course_stats:learners", args=[course.pk])
        ),
        Column("enrolled", label=_("报名人数")),
        Column("completed", label=_("结业人数")),
        Column("completion_rate", label=_("结业率"), accessor=_completion_rate),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not (is_organiser(request.user) or is_provider_staff(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.provider_course_stats(self.request.user)

    def decorate_paginated_queryset(self, object_list):
        for course in object_list:
            course.completion_rate = _completion_rate(course)
        return object_list


# ------------------------------------------------------------- question chooser


class QuestionFilterForm(BaseFilterForm):
    q = forms.CharField(label=_("搜索题干"), required=False)
    kind = forms.ChoiceField(
        label=_("题型"),
        required=False,
        choices=[("", _("全部题型"))] + [(k.value, k.label) for k in QuestionKind],
    )

    def filter(self, objects):
        objects = super().filter(objects)
        if query := self.cleaned_data.get("q", "").strip():
            objects = objects.filter(stem__icontains=query)
            self.is_searching = True
            self.search_query = query
        if kind := self.cleaned_data.get("kind"):
            objects = objects.filter(kind=kind)
        return objects


class _ScopedQuestions:
    def scoped_questions(self):
        policy = policy_for(Question)
        queryset = policy.instances_user_has_any_permission_for(self.request.user, ["change", "view"])
        return queryset.select_related("provider")  # 简答 too: quizzes send it to 阅卷


class _QuestionChooseMixin(_ScopedQuestions):
    filter_form_class = QuestionFilterForm

    def get_object_list(self):
        return self.scoped_questions()

    @property
    def columns(self):
        return [
            self.title_column,
            Column("kind", label=_("题型"), accessor="get_kind_display"),
            Column("knowledge_point", label=_("知识点")),
            Column("provider", label=_("培训机构"), accessor="provider.name"),
        ]


class QuestionChooseView(_QuestionChooseMixin, chooser_views.ChooseView):
    pass


class QuestionChooseResultsView(_QuestionChooseMixin, chooser_views.ChooseResultsView):
    pass


class QuestionChosenView(_ScopedQuestions, chooser_views.ChosenView):
    def get_object(self, pk):
        item = self.scoped_questions().filter(pk=pk).first()
        if item is None:
            raise Http404
        return item


class QuestionChosenMultipleView(_ScopedQuestions, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return self.scoped_questions().filter(pk__in=pks)
