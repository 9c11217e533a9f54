"""课程修改审核: the change sets of live courses (courses/changes), for their provider's staff and organisers.

The list shows the sets the user may see (their providers' for staff, all for organisers); a set of
another provider is a 404. On a set's page the provider's staff submit it with a note, take it back,
drop one record's change or the whole set; organisers compare each change with the live record and
approve it (which applies it) or return it with a comment. Only organisers decide: anyone else's
approve or return is a 403, and nothing is written.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.roles import is_organiser, is_provider_staff
from courses.changes import records
from courses.changes import services as changes
from courses.models import OPEN_STATUSES, ChangeStatus, CourseChange
from courses.permissions import scoped_to_user

ACTIONS = {
    "submit": gettext_lazy("提交审核"),
    "withdraw": gettext_lazy("撤回"),
    "discard": gettext_lazy("放弃修改"),
    "approve": gettext_lazy("通过"),
    "return": gettext_lazy("退回"),
}
EDIT_URLS = {
    "course": "courses_course:edit",
    "chapter": "courses_chapter:edit",
    "lesson": "courses_lesson:edit",
    "quiz": "courses_quiz:edit",
    "question": "courses_question:edit",
}


def _when(text) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(text)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def _visible(user):
    if not (is_organiser(user) or is_provider_staff(user)):
        raise PermissionDenied
    return scoped_to_user(CourseChange.objects.select_related("provider", "course"), user, "provider")


class ChangeListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/changes/index.html"
    page_title = gettext_lazy("课程修改审核")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        sets = _visible(self.request.user)
        closed = self.request.GET.get("closed") == "1"
        sets = sets.exclude(status__in=OPEN_STATUSES) if closed else sets.filter(status__in=OPEN_STATUSES)
        sets = sets.order_by("-submitted_at", "-updated_at")[:200]
        rows = [{"change": c, "count": len(c.entries)} for c in sets]
        rows.sort(key=lambda r: r["change"].status != ChangeStatus.SUBMITTED)  # what waits for a reviewer first
        return super().get_context_data(rows=rows, closed=closed, **kwargs)


def _entry_rows(change: CourseChange) -> list[dict]:
    """Each record's change as the reviewer reads it: the live value beside the wanted one."""
    rows = []
    for key, entry in sorted(change.entries.items()):
        kind, ident = key.split(":", 1)
        model = records.KINDS[kind]
        base, data = entry.get("base"), entry.get("data")
        live = None if ident.startswith("new-") else model.objects.filter(pk=int(ident)).first()
        live_values = records.snapshot(live) if live is not None else None
        if ident.startswith("new-"):
            action = _("新增")
        elif data is None:
            action = _("删除")
        else:
            action = _("修改")
        fields = []
        for name in records.changed_names(base, data):
            fields.append(
                {
                    "label": records.label(kind, name),
                    "live": records.display(kind, name, (live_values or {}).get(name)) if live_values else "—",
                    "wanted": records.display(kind, name, data.get(name)) if data is not None else "—",
                    "moved": bool(live_values and base and live_values.get(name) != base.get(name)),
                }
            )
        edit_url = ""
        if live is not None and data is not None:
            edit_url = reverse(EDIT_URLS[kind], args=[live.pk])
        rows.append(
            {
                "key": key,
                "kind": model._meta.verbose_name,
                "title": records.title_of(kind, data or base or live_values),
                "action": action,
                "fields": fields,
                "edit_url": edit_url,
            }
        )
    return rows


class ChangeDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/changes/detail.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        self.change = get_object_or_404(_visible(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("课程修改审核")

    def get_page_subtitle(self):
        return str(self.change)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("course_changes:index"), "label": _("课程修改审核")},
            {"url": None, "label": str(self.change)},
        ]

    def get_context_data(self, **kwargs):
        change = self.change
        organiser = is_organiser(self.request.user)
        page = getattr(change.course, "page", None) if change.course_id else None
        return super().get_context_data(
            change=change,
            rows=_entry_rows(change),
            log=[
                {**e, "label": ACTIONS.get(e.get("action"), e.get("action")), "when": _when(e.get("at"))}
                for e in change.log
            ],
            may_edit=change.is_open,
            may_submit=change.status in (ChangeStatus.EDITING, ChangeStatus.RETURNED) and bool(change.entries),
            may_withdraw=change.status == ChangeStatus.SUBMITTED,
            may_decide=organiser and change.status == ChangeStatus.SUBMITTED,
            live_url=page.url if page is not None and page.live else "",
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        change, user = self.change, request.user
        if action in ("approve", "return") and not is_organiser(user):
            # A plain 403 (Wagtail's admin would turn PermissionDenied into a redirect): nothing is written.
            return HttpResponseForbidden(_("只有组织者可以审核课程修改"))
        text = request.POST.get("text", "")
        try:
            version = int(request.POST.get("version", "-1"))
        except ValueError:
            version = -1
        try:
            if action == "submit":
                changes.change_submit(change=change, user=user, note=text)
                messages.success(request, _("已提交组织者审核"))
            elif action == "withdraw":
                changes.change_withdraw(change=change, user=user)
                messages.success(request, _("已撤回，可继续修改"))
            elif action == "discard":
                changes.change_discard(change=change, user=user)
                messages.success(request, _("已放弃这组修改，线上课程保持不变"))
            elif action == "drop":
                changes.change_entry_drop(change=change, user=user, key=request.POST.get("key", ""))
                messages.success(request, _("已撤销这项修改"))
            elif action == "approve":
                changes.change_approve(change=change, user=user, version=version, comment=text)
                messages.success(request, _("已通过，修改已对学员生效"))
            elif action == "return":
                changes.change_return(change=change, user=user, version=version, comment=text)
                messages.success(request, _("已退回，线上课程保持不变"))
            else:
                messages.error(request, _("未知的操作"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("course_changes:detail", change.pk)
