"""精品课程: the courses organisers select and show first, each with why it was chosen and for how long."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import Course


def featured_today() -> dt.date:
    """Today in the platform's time zone (Asia/Shanghai): a selection runs from its first to its last day
    there, whatever time zone a request or a worker happens to run in."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


class FeaturedCourseQuerySet(models.QuerySet):
    def current(self, today: dt.date | None = None):
        """Selections whose period includes `today` (both ends included)."""
        today = today or featured_today()
        return self.filter(starts_on__lte=today, ends_on__gte=today)


class FeaturedCourse(models.Model):
    """A course selected as 精品课程 for a period, with the citation shown beside it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="featurings", verbose_name=_("课程"))
    title = models.CharField(_("评选名称"), max_length=60, help_text=_("例如：2026年度精品课程"))
    citation = models.TextField(_("入选理由"), max_length=500)
    starts_on = models.DateField(_("展示开始日期"))
    ends_on = models.DateField(_("展示结束日期"), help_text=_("含当天；按北京时间计算"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0, help_text=_("数字小的排在前面"))
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("遴选人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = FeaturedCourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("精品课程")
        verbose_name_plural = _("精品课程")
        ordering = ["position", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="featured_period",
                violation_error_message=_("展示结束日期不能早于开始日期"),
            ),
            models.UniqueConstraint(fields=["course", "title"], name="uniq_featured_course_title"),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.title} · {self.course.title}"

    @property
    def is_current(self) -> bool:
        return self.starts_on <= featured_today() <= self.ends_on
