from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """A learner's place on a course. Idempotent: one per learner and course."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("最近学习"), null=True, blank=True)
    completed_at = models.DateTimeField(_("结业时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [models.UniqueConstraint(fields=["learner", "course"], name="uniq_enrolment")]
        indexes = [models.Index(fields=["course", "completed_at"])]

    def __str__(self):
        return f"{self.learner} → {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    """A lesson a learner has finished."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(_("完成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="uniq_lesson_progress")]

    def __str__(self):
        return f"{self.enrolment_id}:{self.lesson_id}"


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("作答中")
    MARKING = "marking", _("待评分")
    DONE = "done", _("已评分")


class QuizAttempt(models.Model):
    """One attempt at a quiz: the questions and option order shown, the answers given, the grading.

    question_ids and option_order are fixed when the attempt starts; answers are saved while it is open
    (autosave) and are what a late attempt is graded with. results: {"<question id>": {"correct": bool or
    None, "score": "2.5", "pending": true while a 简答 answer waits for marks, "comment": "…"}}.
    """

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey("courses.Quiz", on_delete=models.PROTECT, related_name="attempts")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    question_ids = models.JSONField(default=list)
    option_order = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=dict, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    max_score = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    passed = models.BooleanField(default=False)
    status = models.CharField(_("状态"), max_length=8, choices=AttemptStatus.choices, default=AttemptStatus.OPEN)
    started_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)
    saved_at = models.DateTimeField(_("最近保存"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(_("超时收卷"), default=False)
    graded_at = models.DateTimeField(_("评分完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("测验记录")
        verbose_name_plural = _("测验记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["quiz", "learner", "passed"]), models.Index(fields=["status", "quiz"])]

    def __str__(self):
        return f"{self.quiz} #{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_marking(self) -> bool:
        return self.status == AttemptStatus.MARKING
