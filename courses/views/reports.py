"""学员学时报表 for provider staff and organisers: per learner of a course, progress, effective study
time (the StudyDay ledger), completion and credited 学时, with a per-lesson drill-down; CSV and XLSX
exports with formulas neutralised (cms/spreadsheets.py).

Scoped on the server: staff see the courses of their own providers only (another provider's course
or enrolment is a 404, on the page and in the export); organisers see all. Real names are shown (the
provider's own learners); ID numbers and mobile numbers are masked.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from accounts.idcard import mask
from accounts.phones import mask_phone
from accounts.roles import is_organiser, is_provider_staff
from cms.spreadsheets import NeutralisedExportMixin
from courses import ledger
from courses.models import Enrolment


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


class _StaffReport(NeutralisedExportMixin, ReportView):
    header_icon = "table"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if not (is_organiser(request.user) or is_provider_staff(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def course(self):
        return get_object_or_404(ledger.reportable_courses(self.request.user), pk=self.kwargs["course_id"])


class CourseLearnersView(_StaffReport):
    """Per learner of one course."""

    index_url_name = "course_stats:learners"
    index_results_url_name = "course_stats:learners_results"
    export_filename = "course-learners"
    list_export = [
        "name",
        "username",
        "id_number",
        "phone",
        "progress",
        "effective_hours",
        "last_day",
        "completed_on",
        "credited_hours",
    ]
    export_headings = {
        "name": _("姓名"),
        "username": _("用户名"),
        "id_number": _("身份证号"),
        "phone": _("手机号码"),
        "progress": _("学习进度（%）"),
        "effective_hours": _("有效学习时长（小时）"),
        "last_day": _("最近学习日期"),
        "completed_on": _("结业日期"),
        "credited_hours": _("认定学时"),
    }

    @property
    def page_title(self):
        return _("学员学时：%(title)s") % {"title": self.course.title}

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.course.pk])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.course.pk])

    @cached_property
    def columns(self):
        course_id = self.course.pk
        return [
            TitleColumn(
                "name",
                label=_("姓名"),
                get_url=lambda row: reverse("course_stats:enrolment", args=[course_id, row["enrolment_id"]]),
            ),
            Column("username", label=_("用户名")),
            Column("id_number", label=_("身份证号")),
            Column("phone", label=_("手机号码")),
            Column("progress", label=_("学习进度（%）")),
            Column("effective_hours", label=_("有效学习时长（小时）")),
            Column("last_day", label=_("最近学习日期")),
            Column("completed_on", label=_("结业日期")),
            Column("credited_hours", label=_("认定学时")),
        ]

    def get_queryset(self):
        rows = []
        for row in ledger.course_learner_rows(self.course):
            learner = row["learner"]
            rows.append(
                {
                    "enrolment_id": row["enrolment"].pk,
                    "name": learner.real_name or learner.username,
                    "username": learner.username,
                    "id_number": mask(learner.id_number),
                    "phone": mask_phone(learner.phone),
                    "progress": row["progress"],
                    "effective_hours": str(row["effective_hours"]),
                    "last_day": _date(row["last_day"]),
                    "completed_on": _date(row["completed_at"] and timezone.localtime(row["completed_at"])),
                    "credited_hours": "" if row["credited_hours"] is None else str(row["credited_hours"]),
                }
            )
        return rows


class EnrolmentLessonsView(_StaffReport):
    """One learner's effective time per lesson of the course."""

    index_url_name = "course_stats:enrolment"
    index_results_url_name = "course_stats:enrolment_results"
    export_filename = "learner-lessons"
    list_export = ["lesson", "effective_hours", "days", "done"]
    export_headings = {
        "lesson": _("课时"),
        "effective_hours": _("有效学习时长（小时）"),
        "days": _("学习天数"),
        "done": _("已完成"),
    }
    columns = [
        Column("lesson", label=_("课时")),
        Column("effective_hours", label=_("有效学习时长（小时）")),
        Column("days", label=_("学习天数")),
        Column("done", label=_("已完成")),
    ]

    @cached_property
    def enrolment(self):
        enrolment = Enrolment.objects.select_related("learner").filter(pk=self.kwargs["pk"], course=self.course).first()
        if enrolment is None:
            raise Http404
        return enrolment

    @property
    def page_title(self):
        learner = self.enrolment.learner
        return _("%(name)s · %(title)s") % {"name": learner.real_name or learner.username, "title": self.course.title}

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.course.pk, self.enrolment.pk])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.course.pk, self.enrolment.pk])

    def get_queryset(self):
        yes, no = str(_("是")), str(_("否"))
        return [
            {
                "lesson": row["lesson"].title,
                "effective_hours": str(row["effective_hours"]),
                "days": row["days"],
                "done": yes if row["done"] else no,
            }
            for row in ledger.enrolment_lesson_rows(self.enrolment)
        ]
