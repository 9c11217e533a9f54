"""The statistics' own tables: rollup cells kept by the background refresh, the months waiting for it,
and the frozen monthly snapshots (docs/statistics.md).

Raw records (enrolments, certificates, registrations) are never grouped per request: a request sums
`StatCell` rows of one grain, which are refreshed month by month in the background.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

UNKNOWN = ""  # the 未知 bucket of a region or industry: stored as the empty code


class CellFields(models.Model):
    """One rolled-up figure: a metric's count (and sum) for one month and one combination of dimensions.

    `grain` says which dimensions the cell carries (stats/dimensions.py): a dimension a grain does not
    carry is stored empty (0 / ""), so every grain sums to the same totals.
    """

    grain = models.CharField(max_length=8)
    month = models.DateField()
    metric = models.CharField(max_length=16)
    kind = models.CharField(max_length=16, blank=True, default="")  # certificate kind, award level
    level = models.PositiveSmallIntegerField(default=0)  # skill level 1–5, 0: none
    province = models.CharField(max_length=2, blank=True, default="")
    city = models.CharField(max_length=6, blank=True, default="")  # a GB/T 2260 code, e.g. 320100
    industry = models.CharField(max_length=1, blank=True, default="")
    provider_id = models.IntegerField(default=0)
    course_id = models.IntegerField(default=0)
    contest_id = models.IntegerField(default=0)
    track_id = models.IntegerField(default=0)
    employer_id = models.IntegerField(default=0)
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # seconds, or 学时 × 10

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.grain} {self.month:%Y-%m} {self.metric} {self.count}"


class StatCell(CellFields):
    """The live cells, rewritten month by month by the refresh (services.stats_refresh)."""

    class Meta:
        verbose_name = _("统计单元")
        verbose_name_plural = _("统计单元")
        indexes = [
            models.Index(fields=["grain", "metric", "month"], name="stats_cell_grain_metric"),
            models.Index(fields=["grain", "province", "month"], name="stats_cell_grain_province"),
            models.Index(fields=["grain", "industry", "month"], name="stats_cell_grain_industry"),
            models.Index(fields=["grain", "provider_id", "month"], name="stats_cell_grain_provider"),
            models.Index(fields=["grain", "employer_id", "month"], name="stats_cell_grain_employer"),
            models.Index(fields=["month"], name="stats_cell_month"),
        ]


class DirtyMonth(models.Model):
    """A past month whose records changed since its cells were computed; the refresh recomputes it.

    The current and the previous month are recomputed at every refresh anyway (new records land there).
    """

    month = models.DateField(primary_key=True)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("待刷新月份")
        verbose_name_plural = _("待刷新月份")

    def __str__(self):
        return f"{self.month:%Y-%m}"


class RefreshState(models.Model):
    """When the cells were last refreshed (one row), shown on the dashboard as 数据更新时间."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    months = models.PositiveIntegerField(default=0)
    # a new random value whenever cells change: the key of the cached answers (selectors.cached)
    stamp = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("统计刷新状态")
        verbose_name_plural = _("统计刷新状态")

    def __str__(self):
        return f"{self.refreshed_at}"


class StatSnapshot(models.Model):
    """定期统计: the figures of one closed month, frozen when taken and never rewritten.

    Its cells (`SnapshotCell`) are a copy of the month's live cells of every grain at the time it was
    taken; month-on-month and year-on-year comparisons read snapshots, so a record changed later does not
    move a figure already reported upward.
    """

    month = models.DateField(_("统计月份"), unique=True)
    taken_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    cell_count = models.PositiveIntegerField(_("单元数"), default=0)

    class Meta:
        verbose_name = _("月度统计快照")
        verbose_name_plural = _("月度统计快照")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class SnapshotCell(CellFields):
    """A cell of a snapshot: written once with the snapshot, never updated."""

    snapshot = models.ForeignKey(StatSnapshot, on_delete=models.PROTECT, related_name="cell_rows")

    class Meta:
        verbose_name = _("快照统计单元")
        verbose_name_plural = _("快照统计单元")
        indexes = [models.Index(fields=["snapshot", "grain", "metric"], name="stats_snapcell_metric")]
