"""Tracked study: what a learner really watched and read, and the 学时 credited for it.

Effective time (seconds really spent, measured by heartbeats) and credited 学时 (a course's hours,
credited once on completion) are kept apart: a report can show both and never confuse them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LessonStudy(models.Model):
    """One learner's study of one lesson: where they are, what they watched, the time credited to it."""

    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="studies")
    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="studies")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_studies")
    position = models.FloatField(_("上次播放位置（秒）"), default=0)
    furthest = models.FloatField(_("最远观看位置（秒）"), default=0)
    # Merged, sorted [[start, end], …] in seconds of the video: the parts really played.
    watched = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(_("已观看时长（秒）"), default=0)
    effective_seconds = models.PositiveIntegerField(_("有效学习时长（秒）"), default=0)
    last_beat_at = models.DateTimeField(null=True, blank=True)
    idle_check_due_at = models.DateTimeField(null=True, blank=True)
    idle_check_token = models.CharField(max_length=32, blank=True)
    # The page (socket) that may send heartbeats now: a newer one takes over, and each beat carries a
    # sequence number above the last one stored, so a replayed beat earns nothing.
    session = models.CharField(max_length=32, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    # Credited time below one second, kept until it makes a whole second of the ledger.
    carry = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("课时学习记录")
        verbose_name_plural = _("课时学习记录")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="uniq_lesson_study")]
        indexes = [models.Index(fields=["learner", "lesson"])]

    def __str__(self):
        return f"{self.learner_id}:{self.lesson_id}"


class StudyDay(models.Model):
    """The ledger of effective study time per learner, lesson and day (Asia/Shanghai)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_days")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="study_days")
    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="study_days")
    day = models.DateField(_("日期"))
    seconds = models.PositiveIntegerField(_("有效学习时长（秒）"), default=0)

    class Meta:
        verbose_name = _("学习时长台账")
        verbose_name_plural = _("学习时长台账")
        constraints = [models.UniqueConstraint(fields=["learner", "lesson", "day"], name="uniq_study_day")]
        indexes = [models.Index(fields=["course", "day"]), models.Index(fields=["learner", "day"])]

    def __str__(self):
        return f"{self.learner_id}:{self.lesson_id}:{self.day}"


class StudyClock(models.Model):
    """Per learner, the server time up to which study has been credited.

    Every heartbeat credits at most the wall-clock time since this moment, whatever lesson or tab it
    comes from, so two tabs, a faster playback rate or a replayed heartbeat earn nothing extra.
    """

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="study_clock"
    )
    credited_until = models.DateTimeField()

    class Meta:
        verbose_name = _("学习计时")
        verbose_name_plural = _("学习计时")

    def __str__(self):
        return f"{self.learner_id}:{self.credited_until:%Y-%m-%d %H:%M:%S}"


class CreditedHours(models.Model):
    """学时 credited when a course is completed: the course's hours at that moment, once per enrolment."""

    enrolment = models.OneToOneField("courses.Enrolment", on_delete=models.CASCADE, related_name="credited_hours")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credited_hours")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="credited_hours")
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    effective_seconds = models.PositiveIntegerField(_("有效学习时长（秒）"), default=0)
    credited_at = models.DateTimeField(_("认定时间"))

    class Meta:
        verbose_name = _("认定学时")
        verbose_name_plural = _("认定学时")
        indexes = [models.Index(fields=["learner", "credited_at"]), models.Index(fields=["course", "credited_at"])]

    def __str__(self):
        return f"{self.learner_id}:{self.course_id} {self.hours}"
