"""Practice (模拟练习) and the device check (设备检测): records of their own, apart from entries.

A practice attempt never creates an Entry, a board row, a score, a certificate or a feed event: it
keeps its own copy of the drawn questions and its own answers. A device check is what the server
measured on a contestant's check socket before a round.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PRACTICE_MAX_QUESTIONS = 100


class TrackPractice(models.Model):
    """A track's practice bank: the bank (and category) practice papers are drawn from, and their size."""

    track = models.OneToOneField(
        "contests.Track", on_delete=models.CASCADE, related_name="practice", verbose_name=_("赛项")
    )
    provider = models.ForeignKey(
        "courses.Provider", on_delete=models.PROTECT, related_name="+", verbose_name=_("题库所属机构")
    )
    category = models.CharField(
        _("题目分类"), max_length=100, blank=True, help_text=_("留空则从该机构题库的全部可自动评分题目中抽题")
    )
    questions_per_paper = models.PositiveSmallIntegerField(
        _("每套练习题数"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(PRACTICE_MAX_QUESTIONS)],
    )
    enabled = models.BooleanField(_("开放模拟练习"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("模拟练习题库")
        verbose_name_plural = _("模拟练习题库")
        constraints = [
            models.CheckConstraint(
                condition=Q(questions_per_paper__gte=1) & Q(questions_per_paper__lte=PRACTICE_MAX_QUESTIONS),
                name="practice_questions_per_paper_range",
            )
        ]

    def __str__(self):
        return f"{self.track}：{self.category or self.provider}"


class PracticeAttempt(models.Model):
    """One practice paper of a contestant, with its own copy of the drawn questions (`paper`:
    [{"id", "kind", "stem", "options", "answer", "explanation"}]); at most one open per track."""

    track = models.ForeignKey(
        "contests.Track", on_delete=models.CASCADE, related_name="practice_attempts", verbose_name=_("赛项")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_attempts", verbose_name=_("练习者")
    )
    paper = models.JSONField(_("练习题目副本"), default=list, editable=False)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    answered = models.PositiveSmallIntegerField(_("已答题数"), default=0)
    correct = models.PositiveSmallIntegerField(_("答对题数"), default=0)

    class Meta:
        verbose_name = _("模拟练习")
        verbose_name_plural = _("模拟练习")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "user"], condition=Q(finished_at__isnull=True), name="one_open_practice_per_track"
            ),
            models.CheckConstraint(condition=Q(correct__lte=models.F("answered")), name="practice_correct_le_answered"),
        ]

    def __str__(self):
        return f"{self.track} · {self.user}"

    @property
    def total(self) -> int:
        return len(self.paper)


class PracticeAnswer(models.Model):
    """An answer to one question of a practice paper: answered once, graded at once, shown right away."""

    attempt = models.ForeignKey(PracticeAttempt, on_delete=models.CASCADE, related_name="answers")
    # The bank question's id as the attempt's copy names it (no foreign key: the copy is what counts,
    # and practising a question must not stop the bank from deleting it).
    question_pk = models.PositiveBigIntegerField(_("试题编号"))
    client_id = models.UUIDField(_("客户端编号"))
    answer = models.JSONField(_("答案"), null=True, blank=True)
    correct = models.BooleanField(_("正确"), default=False)
    answered_at = models.DateTimeField(_("作答时间"))

    class Meta:
        verbose_name = _("练习作答")
        verbose_name_plural = _("练习作答")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_pk"], name="uniq_practice_answer"),
            models.UniqueConstraint(fields=["attempt", "client_id"], name="uniq_practice_answer_client_id"),
        ]

    def __str__(self):
        return f"{self.attempt_id}:{self.question_pk}"


class DeviceCheck(models.Model):
    """A contestant's latest device and network check (设备检测) for a round, as the server measured it.

    `latency_ms` is the median round trip the server timed between its pings and their pongs;
    `clock_offset_ms` the device clock minus the server's (median). `passed` is the server's verdict
    (contests.checks.verdict), never the client's.
    """

    round = models.ForeignKey(
        "contests.Round", on_delete=models.CASCADE, related_name="device_checks", verbose_name=_("场次")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("选手")
    )
    latency_ms = models.PositiveIntegerField(_("网络延迟（毫秒）"), null=True, blank=True)
    clock_offset_ms = models.BigIntegerField(_("时钟偏差（毫秒）"), null=True, blank=True)
    pings = models.PositiveSmallIntegerField(_("测量次数"), default=0)
    sample_acked = models.BooleanField(_("示例题已确认"), default=False)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    passed = models.BooleanField(_("通过"), default=False)
    runs = models.PositiveIntegerField(_("检测次数"), default=1)
    checked_at = models.DateTimeField(_("检测时间"))

    class Meta:
        verbose_name = _("设备检测")
        verbose_name_plural = _("设备检测")
        ordering = ["round_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="uniq_device_check")]

    def __str__(self):
        return f"{self.round_id}:{self.user_id}"
