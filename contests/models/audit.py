from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """Who did what, for every organiser and judge action (approvals, round control, every score change)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=40)
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    round = models.ForeignKey(
        "contests.Round", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contest", "created_at"]),
            models.Index(fields=["round", "created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"


class Announcement(models.Model):
    """A notice the organiser pushes to every contestant of a round (kept, so a reconnect sees it too)."""

    round = models.ForeignKey("contests.Round", on_delete=models.CASCADE, related_name="announcements")
    text = models.CharField(_("公告内容"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("场次公告")
        verbose_name_plural = _("场次公告")
        ordering = ["round_id", "created_at", "id"]

    def __str__(self):
        return self.text[:40]
