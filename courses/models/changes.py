"""遴选 of the course records: what an untrusted provider's staff change in a live course waits here.

The live rows (`Course`, `Chapter`, `Lesson`, `Quiz`, `Question`) are what learners read, so a change
that must be reviewed is not written to them: 课程管理 records it in the course's open `CourseChange`
(one per course; questions, which belong to the provider's bank, in the provider's one with no
course) and an organiser applies it, all at once, when approving it (courses/changes/).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    EDITING = "editing", _("编辑中")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")
    DISCARDED = "discarded", _("已放弃")


OPEN_STATUSES = (ChangeStatus.EDITING, ChangeStatus.SUBMITTED, ChangeStatus.RETURNED)


class CourseChange(models.Model):
    """A pending change set of a live course (or of a provider's question bank when `course` is empty).

    `entries` maps "<model>:<pk>" (or "<model>:new-<n>" for a record to add) to
    {"base": the live values when first changed, or null for a new record,
     "data": the values wanted, or null for a record to delete}.
    `version` grows with every edit, so an organiser approves exactly what they looked at.
    """

    provider = models.ForeignKey(
        "courses.Provider", on_delete=models.CASCADE, related_name="changes", verbose_name=_("培训机构")
    )
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("课程"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.EDITING)
    entries = models.JSONField(default=dict, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    next_new = models.PositiveIntegerField(default=1, editable=False)
    # Who said what, oldest first: [{"at": iso time, "user": id, "name": str, "action": str, "text": str}].
    log = models.JSONField(default=list, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("审核人")
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课程修改")
        verbose_name_plural = _("课程修改")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(status__in=["editing", "submitted", "returned"], course__isnull=False),
                name="uniq_open_change_per_course",
            ),
            models.UniqueConstraint(
                fields=["provider"],
                condition=models.Q(status__in=["editing", "submitted", "returned"], course__isnull=True),
                name="uniq_open_bank_change_per_provider",
            ),
        ]

    def __str__(self):
        return str(self.course.title if self.course_id else _("题库"))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
