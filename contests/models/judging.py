from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    """A practical task (实操任务) of a round, scored against its rubric criteria."""

    round = models.ForeignKey("contests.Round", on_delete=models.CASCADE, related_name="tasks", verbose_name=_("场次"))
    title = models.CharField(_("任务名称"), max_length=120)
    max_score = models.DecimalField(
        _("满分"), max_digits=6, decimal_places=1, default=Decimal(100), validators=[MinValueValidator(0)]
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("实操任务")
        verbose_name_plural = _("实操任务")
        ordering = ["round_id", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(max_score__gte=0), name="task_max_score_not_negative")]

    def __str__(self):
        return self.title


class CriterionKind(models.TextChoices):
    MEASUREMENT = "measurement", _("测量（客观）")
    JUDGEMENT = "judgement", _("评价（主观）")


class CriterionAggregation(models.TextChoices):
    MEAN = "mean", _("平均分")
    TRIMMED_MEAN = "trimmed_mean", _("去掉最高最低分后平均（至少5名评委）")


class Criterion(models.Model):
    """A rubric line of a task. Measurement: one judge enters the value; judgement: several judges score.

    A judgement's result is the mean of the confirmed scores, or with `trimmed_mean` and at least five
    of them the mean without the highest and the lowest. When the confirmed scores differ by more than
    `spread_threshold` the result is flagged for the chief judge.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("任务"))
    title = models.CharField(_("评分项"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=CriterionKind.choices, default=CriterionKind.JUDGEMENT)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)])
    aggregation = models.CharField(
        _("汇总方式"), max_length=14, choices=CriterionAggregation.choices, default=CriterionAggregation.MEAN
    )
    spread_threshold = models.DecimalField(
        _("分差预警阈值"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("评委打分最高与最低之差超过该值时标记；留空不检查"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分细则")
        verbose_name_plural = _("评分细则")
        ordering = ["task_id", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(max_score__gte=0), name="criterion_max_score_not_negative")]

    def __str__(self):
        return self.title


class JudgeScore(models.Model):
    """One judge's score for one criterion of one entry; it counts once the judge confirms it."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    entry = models.ForeignKey("contests.Entry", on_delete=models.CASCADE, related_name="judge_scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judge_scores")
    value = models.DecimalField(_("分数"), max_digits=6, decimal_places=1)
    confirmed = models.BooleanField(_("已确认"), default=False)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("评委打分")
        verbose_name_plural = _("评委打分")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "entry", "judge"], name="uniq_judge_score"),
            models.CheckConstraint(condition=Q(value__gte=0), name="judge_score_not_negative"),
            models.CheckConstraint(
                condition=Q(confirmed=False) | Q(confirmed_at__isnull=False), name="judge_score_confirmed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["entry", "criterion", "confirmed"])]

    def __str__(self):
        return f"{self.judge} · {self.criterion} · {self.value}"


class CriterionResult(models.Model):
    """The aggregated score of one criterion for one entry, kept so a confirmation re-aggregates one cell."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="results")
    entry = models.ForeignKey("contests.Entry", on_delete=models.CASCADE, related_name="criterion_results")
    value = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, default=Decimal(0))
    judge_count = models.PositiveSmallIntegerField(_("有效评分数"), default=0)
    spread = models.DecimalField(_("分差"), max_digits=6, decimal_places=1, default=Decimal(0))
    flagged = models.BooleanField(_("分差预警"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分项得分")
        verbose_name_plural = _("评分项得分")
        constraints = [models.UniqueConstraint(fields=["criterion", "entry"], name="uniq_criterion_result")]

    def __str__(self):
        return f"{self.entry_id}:{self.criterion_id}={self.value}"
