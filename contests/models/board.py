from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .registration import Province


class ScoreboardRow(models.Model):
    """An entry's line on the round's board, updated in place by every score change (never recomputed).

    Rank is not stored: it is read with the (round, -total, reached_at) index — ties go to whoever
    reached the total first. Name, organisation and province are copied here so the board and its
    filters are one table. `frozen_*` hold what the public saw when the first change after the freeze
    moment arrived; null means the public sees the live values (nothing changed during the freeze,
    the row was revealed, or the round is published).
    """

    round = models.ForeignKey("contests.Round", on_delete=models.CASCADE, related_name="board_rows")
    entry = models.OneToOneField("contests.Entry", on_delete=models.CASCADE, related_name="board_row")
    name = models.CharField(_("选手/队伍"), max_length=100)
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    province = models.CharField(_("省份"), max_length=2, choices=Province.choices, blank=True)
    theory_score = models.DecimalField(_("理论得分"), max_digits=7, decimal_places=1, default=Decimal(0))
    practical_score = models.DecimalField(_("实操得分"), max_digits=8, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal(0))
    reached_at = models.DateTimeField(_("达到该总分的时间"))
    tasks = models.JSONField(_("各任务得分"), default=dict, blank=True)
    seq = models.PositiveIntegerField(_("最近变更序号"), default=0)
    frozen_theory = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    frozen_practical = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    frozen_total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    frozen_reached_at = models.DateTimeField(null=True, blank=True)
    frozen_tasks = models.JSONField(null=True, blank=True)
    revealed_at = models.DateTimeField(_("揭晓时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排行榜行")
        verbose_name_plural = _("排行榜")
        constraints = [
            models.CheckConstraint(
                condition=Q(frozen_total__isnull=True) | Q(frozen_reached_at__isnull=False),
                name="board_row_frozen_complete",
            )
        ]
        indexes = [
            models.Index(fields=["round", "-total", "reached_at", "id"], name="board_rank_idx"),
            models.Index(fields=["round", "province"], name="board_province_idx"),
            models.Index(fields=["round", "organisation"], name="board_organisation_idx"),
        ]

    def __str__(self):
        return f"{self.name}：{self.total}"

    @property
    def has_hidden_change(self) -> bool:
        return self.frozen_total is not None


class ScoreboardEventKind(models.TextChoices):
    ROW = "row", _("成绩变化")
    REVEAL = "reveal", _("揭晓")
    STATE = "state", _("场次状态")


class ScoreboardEvent(models.Model):
    """The round's resumable feed: every board change with a gap-free sequence number per round.

    `public` is false for changes made while the board is frozen: the public and contestants skip
    them (their seq numbers simply do not appear in their feed) until the reveal event for that row.
    """

    round = models.ForeignKey("contests.Round", on_delete=models.CASCADE, related_name="board_events")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=10, choices=ScoreboardEventKind.choices)
    public = models.BooleanField(_("公开"), default=True)
    payload = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("排行榜事件")
        verbose_name_plural = _("排行榜事件")
        ordering = ["round_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["round", "seq"], name="uniq_board_event_seq")]
        # The public feed: its last number and its events, without stepping over the hidden ones.
        indexes = [models.Index(fields=["round", "seq"], condition=Q(public=True), name="board_event_public_idx")]

    def __str__(self):
        return f"{self.round_id}#{self.seq} {self.kind}"


class RoundSequence(models.Model):
    """The per-round event counter, in its own row so saving a Round never rewinds it.

    Writers take the next number under a row lock (PostgreSQL) or the IMMEDIATE write lock (SQLite).
    """

    round = models.OneToOneField("contests.Round", on_delete=models.CASCADE, primary_key=True, related_name="sequence")
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("排行榜序号")
        verbose_name_plural = _("排行榜序号")

    def __str__(self):
        return f"{self.round_id}: {self.last_seq}"
