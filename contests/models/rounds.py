import datetime as dt
import secrets
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RoundStage(models.TextChoices):
    PRELIMINARY = "preliminary", _("预赛")
    FINAL = "final", _("决赛")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    LOBBY = "lobby", _("候场")
    RUNNING = "running", _("进行中")
    PAUSED = "paused", _("已暂停")
    ENDED = "ended", _("已结束")
    PUBLISHED = "published", _("成绩公示中")
    FINAL = "final", _("成绩已确认")


LIVE_STATUSES = (RoundStatus.RUNNING, RoundStatus.PAUSED)
# Results exist (the round is over); PUBLISHED is the provisional 公示 window, FINAL after review.
RESULT_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.FINAL)


class Round(models.Model):
    """A timed round (预赛 / 决赛) of a track: a theory paper, practical tasks, or both.

    The server is the clock. `starts_at`/`ends_at` are the schedule until the organiser starts the
    round, then the actual start and the planned end (same length). The deadline of an entry is
    `ends_at + extra_seconds + paused_seconds (+ the current pause) + entry.extra_seconds`.
    The scoreboard freezes for the public `freeze_minutes` before the round-wide deadline.
    """

    track = models.ForeignKey("contests.Track", on_delete=models.CASCADE, related_name="rounds", verbose_name=_("赛项"))
    stage = models.CharField(_("阶段"), max_length=12, choices=RoundStage.choices, default=RoundStage.PRELIMINARY)
    title = models.CharField(_("场次名称"), max_length=80, blank=True)
    has_theory = models.BooleanField(_("含理论考试"), default=True)
    has_practical = models.BooleanField(_("含实操比赛"), default=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    freeze_minutes = models.PositiveSmallIntegerField(
        _("封榜时间（分钟）"), default=0, help_text=_("结束前多少分钟起，公众和选手看到的排行榜不再更新；0 表示不封榜")
    )
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停（秒）"), default=0)
    extra_seconds = models.PositiveIntegerField(_("全体延时（秒）"), default=0)
    shuffle_questions = models.BooleanField(_("题目乱序"), default=False)
    shuffle_options = models.BooleanField(_("选项乱序"), default=False)
    theory_max = models.DecimalField(_("理论满分"), max_digits=7, decimal_places=1, default=Decimal(0))
    practical_max = models.DecimalField(_("实操满分"), max_digits=7, decimal_places=1, default=Decimal(0))
    theory_live = models.BooleanField(
        _("理论成绩实时公开"),
        default=False,
        help_text=_("用于练习和知识竞赛；正式比赛在场次结束前不向选手和公众显示理论成绩"),
    )
    practical_live = models.BooleanField(
        _("实操成绩确认后即公开"), default=True, help_text=_("关闭后实操成绩也在场次结束前隐藏")
    )
    review_window_hours = models.PositiveSmallIntegerField(
        _("成绩公示期（小时）"), default=48, help_text=_("公示期内选手可申请成绩复核；0 表示不设公示期")
    )
    one_device = models.BooleanField(
        _("每名选手限用一台设备"),
        default=False,
        help_text=_("选手首次进入时绑定所用设备，其他设备无法进入；设备故障时由组织者在诚信监测页面解除绑定"),
    )
    frozen_manually_at = models.DateTimeField(
        _("手动封榜于"), null=True, blank=True, help_text=_("组织者在控制台手动封榜的时间；解除封榜后清空")
    )
    reveal_cursor = models.PositiveIntegerField(_("揭榜进度"), default=0)
    ended_at = models.DateTimeField(_("实际结束时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("成绩公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        ordering = ["track_id", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="round_ends_after_start"),
            models.CheckConstraint(condition=Q(has_theory=True) | Q(has_practical=True), name="round_has_a_part"),
            models.CheckConstraint(
                condition=Q(status="paused", paused_at__isnull=False)
                | (~Q(status="paused") & Q(paused_at__isnull=True)),
                name="round_paused_at_iff_paused",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return self.title or f"{self.track.name} {self.get_stage_display()}"

    # ------------------------------------------------------------- clock (pure)

    def paused_total(self, now: dt.datetime) -> int:
        """Seconds the round has stood still so far, including a pause in progress."""
        current = int((now - self.paused_at).total_seconds()) if self.paused_at else 0
        return self.paused_seconds + max(current, 0)

    def deadline(self, now: dt.datetime, extra_seconds: int = 0) -> dt.datetime:
        return self.ends_at + dt.timedelta(seconds=self.extra_seconds + self.paused_total(now) + extra_seconds)

    def scheduled_freeze_at(self, now: dt.datetime) -> dt.datetime | None:
        """The freeze `freeze_minutes` before the round-wide deadline (it moves with the deadline)."""
        if not self.freeze_minutes:
            return None
        return self.deadline(now) - dt.timedelta(minutes=self.freeze_minutes)

    def freeze_at(self, now: dt.datetime) -> dt.datetime | None:
        """When the public board froze or will freeze: the organiser's manual freeze, or the schedule."""
        moments = [m for m in (self.frozen_manually_at, self.scheduled_freeze_at(now)) if m is not None]
        return min(moments) if moments else None

    def is_frozen(self, now: dt.datetime) -> bool:
        """Whether a score change at `now` is hidden from the public board (until the reveal)."""
        if self.status in RESULT_STATUSES:
            return False
        freeze_at = self.freeze_at(now)
        return freeze_at is not None and now >= freeze_at

    @property
    def weights(self) -> tuple[Decimal, Decimal]:
        """(theory, practical) weights in percent for this round's parts."""
        if self.has_theory and self.has_practical:
            return self.track.theory_weight, self.track.practical_weight
        return (Decimal(100), Decimal(0)) if self.has_theory else (Decimal(0), Decimal(100))


class RoundQuestion(models.Model):
    """A question of a round's theory paper, with the score it carries in this paper.

    While the round is a draft the paper reads the bank's question. When the lobby opens, `snapshot`
    takes a copy of it — {"kind", "stem", "options", "answer"} as they stand then — and from that
    moment grading and the contestants' paper use the copy (contests.papers): editing the bank
    question, or an import changing its key, no longer touches the round. The paper itself (which
    questions, their order and scores) is fixed from the lobby on (contests.services.papers).
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_questions")
    question = models.ForeignKey("courses.Question", on_delete=models.PROTECT, related_name="+", verbose_name=_("试题"))
    order = models.PositiveIntegerField(_("题号"), default=0)
    score = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=1, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    snapshot = models.JSONField(_("试题副本"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("理论试题")
        verbose_name_plural = _("理论试卷")
        ordering = ["round_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="uniq_round_question"),
            models.CheckConstraint(condition=Q(score__gte=0), name="round_question_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.order}. {self.question}"


def new_shuffle_seed() -> int:
    return secrets.randbelow(2**31)


class Entry(models.Model):
    """An approved registration taking part in one round: its own clock, paper order and console session.

    `shuffle_seed` fixes the question (and option) order of this entry's paper, so a reload or a
    reconnect shows the same order. `session_epoch` grows on every console connection: the newest
    connection owns the entry, an older one is told it was taken over. With `Round.one_device` only
    the device bound by `device_hash` may connect. `handed_in_at` ends the entry's answering early.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries", verbose_name=_("场次"))
    registration = models.ForeignKey(
        "contests.Registration", on_delete=models.CASCADE, related_name="entries", verbose_name=_("报名")
    )
    extra_seconds = models.PositiveIntegerField(_("个人延时（秒）"), default=0)
    shuffle_seed = models.PositiveIntegerField(default=new_shuffle_seed)
    session_epoch = models.PositiveIntegerField(_("连接序号"), default=0)
    joined_at = models.DateTimeField(_("首次进入"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近连接"), null=True, blank=True)
    # Hand in early (交卷): the answers are final from then on; `used_seconds` is the time taken,
    # pauses excluded.
    handed_in_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    used_seconds = models.PositiveIntegerField(_("用时（秒）"), null=True, blank=True)
    # One device per contestant (Round.one_device): a keyed hash of the bound device's token, never the token.
    device_hash = models.CharField(_("绑定设备"), max_length=64, blank=True, default="")
    device_bound_at = models.DateTimeField(_("设备绑定时间"), null=True, blank=True)
    # Integrity signals reported by the console while the round runs (contests/integrity.py): counts only.
    focus_lost_count = models.PositiveIntegerField(_("离开页面次数"), default=0)
    away_seconds = models.PositiveIntegerField(_("离开页面时长（秒）"), default=0)
    paste_count = models.PositiveIntegerField(_("粘贴次数"), default=0)
    signals_at = models.DateTimeField(_("最近异常记录"), null=True, blank=True)
    # 检录 and the seat drawn by lot (contests.services.seats); judges know an entry by its seat only.
    checked_in_at = models.DateTimeField(_("检录时间"), null=True, blank=True)
    seat_number = models.PositiveSmallIntegerField(_("座位号"), null=True, blank=True)

    class Meta:
        verbose_name = _("参赛记录")
        verbose_name_plural = _("参赛记录")
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "registration"], name="uniq_entry_per_round"),
            models.UniqueConstraint(
                fields=["round", "seat_number"], condition=Q(seat_number__isnull=False), name="uniq_seat_per_round"
            ),
            models.CheckConstraint(
                condition=Q(seat_number__isnull=True) | Q(checked_in_at__isnull=False), name="entry_seat_after_check_in"
            ),
        ]

    def __str__(self):
        return f"{self.round} · {self.registration}"

    def deadline(self, now: dt.datetime) -> dt.datetime:
        return self.round.deadline(now, self.extra_seconds)
