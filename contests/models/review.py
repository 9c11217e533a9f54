"""The 公示 of a round's results: review requests (成绩复核) and the organiser's confirmed award preview."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReviewPart(models.TextChoices):
    THEORY = "theory", _("理论考试")
    TASK = "task", _("实操任务")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    UPHELD = "upheld", _("维持原成绩")
    CHANGED = "changed", _("已更正成绩")


class ReviewRequest(models.Model):
    """A contestant's request, during the 公示 window, to have one part (theory) or one task re-marked.

    One per entry and part or task (database constraints). The track's chief judge (裁判长) answers
    it: upheld, or changed with new values; `before` / `after` keep the scores it moved (part or task
    score, total, and each question or criterion changed), so the contestant sees what changed.
    """

    entry = models.ForeignKey(
        "contests.Entry", on_delete=models.CASCADE, related_name="review_requests", verbose_name=_("参赛记录")
    )
    part = models.CharField(_("复核内容"), max_length=8, choices=ReviewPart.choices)
    task = models.ForeignKey(
        "contests.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_requests",
        verbose_name=_("实操任务"),
    )
    reason = models.TextField(_("申请理由"), max_length=1000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申请时间"))
    status = models.CharField(_("状态"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    answer = models.TextField(_("复核答复"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    before = models.JSONField(_("复核前"), default=dict, blank=True)
    after = models.JSONField(_("复核后"), default=dict, blank=True)

    class Meta:
        verbose_name = _("成绩复核申请")
        verbose_name_plural = _("成绩复核申请")
        ordering = ["filed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "part"], condition=Q(task__isnull=True), name="uniq_review_per_entry_part"
            ),
            models.UniqueConstraint(
                fields=["entry", "task"], condition=Q(task__isnull=False), name="uniq_review_per_entry_task"
            ),
            models.CheckConstraint(
                condition=(Q(part="task") & Q(task__isnull=False)) | (Q(part="theory") & Q(task__isnull=True)),
                name="review_task_iff_task_part",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(answered_at__isnull=False), name="review_answered_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "entry"])]

    def __str__(self):
        return f"{self.entry} · {self.get_part_display()}"

    @property
    def subject(self) -> str:
        """What is reviewed, in words: 理论考试 or the task's title."""
        return self.task.title if self.task_id else str(self.get_part_display())


class AwardPreview(models.Model):
    """The award bands an organiser confirmed before publishing: `digest` is of every entry's total
    and award at that moment, so a score changed since then needs a new confirmation."""

    round = models.OneToOneField(
        "contests.Round", on_delete=models.CASCADE, related_name="award_preview", verbose_name=_("场次")
    )
    digest = models.CharField(_("确认时的奖项摘要"), max_length=64)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("奖项预览确认")
        verbose_name_plural = _("奖项预览确认")

    def __str__(self):
        return f"{self.round_id}: {self.digest[:8]}"


class FinalConfirmation(models.Model):
    """The chief judge's (or, for a track without one, an organiser's) 确认最终成绩 of a round.

    Results become final once it exists, the 公示 window is over and no review request is pending;
    a request filed after it removes it, so the answers are confirmed again.
    """

    round = models.OneToOneField(
        "contests.Round", on_delete=models.CASCADE, related_name="final_confirmation", verbose_name=_("场次")
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("最终成绩确认")
        verbose_name_plural = _("最终成绩确认")

    def __str__(self):
        return f"{self.round_id}: {self.confirmed_at:%Y-%m-%d %H:%M}"
