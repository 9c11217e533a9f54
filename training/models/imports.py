from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    APPLIED = "applied", _("已导入")


class RosterImport(models.Model):
    """An uploaded roster file between its preview and its confirmation: the rows as read (not yet
    checked: the plan is made again against the roster at confirmation), and what was applied."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("单位")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=RosterImportStatus.choices, default=RosterImportStatus.PREVIEW
    )
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
