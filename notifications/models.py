"""What the platform tells a person (the notification centre and its e-mail), and which e-mails
each person has turned off.

A notification's title and body are stored as `courses.messages.Message` text: the Chinese source
and, when the text has parameters, its msgid and parameters as JSON, so the centre shows it in the
reader's language (`messages.translated`). Its link is a path on this site, never another host.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.messages import translated

URL_MAX = 500


class NotificationKind(models.TextChoices):
    """Add a kind here (and its e-mail setting appears on the settings page by itself)."""

    CLASS_ASSIGNED = "class_assigned", _("分配培训班")
    DEADLINE_SOON = "deadline_soon", _("学习期限将至")
    CERTIFICATE_ISSUED = "certificate_issued", _("证书已颁发")
    REGISTRATION_APPROVED = "registration_approved", _("报名审核通过")
    REGISTRATION_REJECTED = "registration_rejected", _("报名未通过审核")
    REGISTRATION_IMPORTED = "registration_imported", _("列入报名名单")
    ROUND_LOBBY = "round_lobby", _("比赛即将开始（候场开放）")
    INVITATION = "invitation", _("名册邀请")
    COURSE_CHANGE_SUBMITTED = "course_change_submitted", _("课程修改待审核")
    COURSE_CHANGE_DECIDED = "course_change_decided", _("课程修改审核结果")
    RESULTS_PUBLISHED = "results", _("比赛成绩公示与确认")
    REVIEW = "review", _("成绩复核")
    ADVANCED = "advanced", _("晋级通知")
    NOMINATED = "nominated", _("选拔推荐")


def is_site_path(url: str) -> bool:
    """A path on this site: starts with one "/" (not "//" or "/\\", which browsers read as another
    host), no scheme, no spaces or control characters."""
    if not url or not url.startswith("/") or url[1:2] in ("/", "\\"):
        return False
    return not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url)


def validate_site_path(url: str) -> None:
    if url and not is_site_path(url):
        raise ValidationError(_("链接只能是本站以“/”开头的路径"), code="site_path")


class Notification(models.Model):
    """One thing one person is told: shown in the notification centre, e-mailed unless they turned
    the kind off. `dedupe_key` makes a reminder once-only (e.g. one per class and deadline)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=NotificationKind.choices)
    title = models.TextField(_("标题"))
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=URL_MAX, blank=True, validators=[validate_site_path])
    dedupe_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"], condition=~Q(dedupe_key=""), name="uniq_notification_dedupe"
            ),
            # The database keeps other hosts out too, whatever code writes the row.
            models.CheckConstraint(
                condition=Q(url="") | (Q(url__startswith="/") & ~Q(url__startswith="//") & ~Q(url__startswith="/\\")),
                name="notification_url_site_path",
            ),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.kind} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title_text(self) -> str:
        """The title in the active language."""
        return translated(self.title)

    @property
    def body_text(self) -> str:
        return translated(self.body)

    @property
    def link(self) -> str:
        """The link to follow when it is opened: only a path on this site, checked again as it is read."""
        return self.url if is_site_path(self.url) else ""


class NotificationPreference(models.Model):
    """A person's e-mail choice for one kind. No row means e-mail on: only a change is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(_("发送邮件"), default=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_preference")]

    def __str__(self):
        return f"{self.user_id} · {self.kind} · {'email' if self.email else 'no email'}"
