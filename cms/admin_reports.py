"""Wagtail's admin reports, kept to what each user may work on.

Wagtail shows its site history to anyone who may explore a page, and lists every log entry of a
model to anyone with one permission on that model: provider staff would read other providers'
course titles and question stems there. Here the history of records (not pages) is narrowed to the
objects the user may work on now, asked of each model's permission policy (for course records the
provider-scoped policies of courses.permissions, for images and documents their collections), and
the filters offer only the users, types and actions of those entries. Page history keeps Wagtail's
rule (the pages the user may explore). Reports about the whole site — page types usage and the
workflow reports — are for organisers only.

Aging pages and locked pages keep Wagtail's rule: they list only pages the user may publish or
unlock. Every report's XLSX and CSV export neutralises formulas (cms/spreadsheets.py). The patterns
below take the reports' paths ahead of Wagtail's admin URLs in config/urls.py; Wagtail's own URL
names still reverse to them.
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.defaults import permission_denied

from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import PageLogEntry
from wagtail.permissions import policy_registry

from accounts.roles import is_organiser

from .spreadsheets import NeutralisedExportMixin

RECORD_ACTIONS = ["add", "change", "delete", "view"]
ORGANISER_REPORTS = ("page-types-usage", "workflows", "workflow-tasks")  # menu item names


def log_entries_visible(log_model, user):
    """The entries of one log model that `user` may read in the site history."""
    entries = log_model.objects.viewable_by_user(user)
    if is_organiser(user) or issubclass(log_model, PageLogEntry):
        return entries
    allowed = Q()
    for content_type_id in entries.get_content_type_ids():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:  # the model is gone; so is any object its entries could name
            continue
        instances = policy_registry.get_by_type(model).instances_user_has_any_permission_for(user, RECORD_ACTIONS)
        ids = instances.order_by().annotate(logged_id=Cast("pk", output_field=CharField())).values("logged_id")
        allowed |= Q(content_type_id=content_type_id, object_id__in=ids)
    return entries.filter(allowed) if allowed else entries.none()


def _visible(user):
    return [log_entries_visible(log_model, user) for log_model in log_action_registry.get_log_entry_models()]


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    object_type = ContentTypeFilter(
        label=SiteHistoryReportFilterSet.base_filters["object_type"].label,
        method="filter_object_type",
        queryset=lambda request: ContentType.objects.filter(
            pk__in={pk for entries in _visible(request.user) for pk in entries.get_content_type_ids()}
        ).order_by("model"),
    )

    def get_action_choices(self):
        actions = {action for entries in _visible(self.request.user) for action in entries.get_actions()}
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_users_queryset(self):
        user_ids = {pk for entries in _visible(self.request.user) for pk in entries.get_user_ids()}
        User = get_user_model()
        return User.objects.filter(pk__in=user_ids).order_by(User.USERNAME_FIELD)


class ScopedSiteHistoryView(NeutralisedExportMixin, LogEntriesView):
    """Wagtail's site history over `log_entries_visible` (its listing, filters and export)."""

    filterset_class = ScopedSiteHistoryFilterSet

    def get_filtered_queryset(self):
        self.log_models = list(log_action_registry.get_log_entry_models())
        queryset = None
        for index, log_model in enumerate(self.log_models):
            entries = log_entries_visible(log_model, self.request.user)
            entries = self.filter_queryset(
                entries.values("pk", "timestamp").annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            entries = entries.order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-timestamp")


def organisers_only(view):
    """403 for everyone but organisers (a PermissionDenied would become Wagtail's redirect home)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_organiser(request.user):
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapper


def _admin(view, view_class):
    wrapped = require_admin_access(never_cache(view))
    wrapped.view_class = view_class  # what tests (and a reader of the URL table) look at
    return wrapped


def _report(route: str, name: str, view_class, *, organisers: bool = False) -> list:
    """A report's two URLs, its spreadsheet export neutralised (cms/spreadsheets.py)."""
    if not issubclass(view_class, NeutralisedExportMixin):
        view_class = type(view_class.__name__, (NeutralisedExportMixin, view_class), {"__module__": __name__})
    views = [view_class.as_view(), view_class.as_view(results_only=True)]
    if organisers:
        views = [organisers_only(view) for view in views]
    return [
        path(f"admin/reports/{route}/", _admin(views[0], view_class), name=name),
        path(f"admin/reports/{route}/results/", _admin(views[1], view_class), name=f"{name}_results"),
    ]


# Included in config/urls.py (namespace "cms") before Wagtail's admin URLs, which they replace.
urlpatterns = [
    *_report("site-history", "site_history", ScopedSiteHistoryView),
    *_report("aging-pages", "aging_pages", AgingPagesView),
    *_report("locked", "locked_pages", LockedPagesView),
    *_report("page-types-usage", "page_types_usage", PageTypesUsageReportView, organisers=True),
    *_report("workflow", "workflow_report", WorkflowView, organisers=True),
    *_report("workflow_tasks", "workflow_tasks_report", WorkflowTasksView, organisers=True),
]
