from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCORE_MIN, SCORE_MAX = 1, 5
COMMENT_MAX = 500
REASON_MAX = 200


class CourseRating(models.Model):
    """A learner's rating of a course they completed: one per learner and course, which they may edit.

    The course's provider staff or organisers may hide it with a reason; a hidden rating stays (its
    author still sees it, with the reason) but counts in no average. `Course.rating_count` and
    `rating_avg` are recomputed from the visible ratings by every write (courses/ratings.py).
    """

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="ratings")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_ratings")
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("评价"), max_length=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    is_hidden = models.BooleanField(_("已隐藏"), default=False)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=REASON_MAX, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    moderated_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课程评价")
        verbose_name_plural = _("课程评价")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "learner"], name="uniq_rating_per_learner_course"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="course_rating_score_range"
            ),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""), name="course_rating_hidden_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["course", "is_hidden", "-updated_at"])]

    def __str__(self):
        return f"{self.course_id}:{self.learner_id} {self.score}"
