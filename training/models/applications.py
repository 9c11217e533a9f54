"""开班申请 (the application a subsidised class needs before it opens) and the sign-ins (签到) of a class.

A subsidised class (`TrainingClass.subsidised`) opens only once an organiser approved its application.
What the applicant submits is frozen at each submission (the roster and the courses in the
application's own columns, the whole application in the submission's event), so the class record
shows what was approved even after the class changed.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.imports.storage import private_storage

PLAN_ROOT = "training/plans"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")


def plan_storage():
    """Teaching plans may name people and fees: private storage, served only by the application's view."""
    return private_storage


def plan_file_name(instance, filename: str) -> str:
    """``training/plans/<year>/<month>/<32 random hex digits>.<extension>``; the chosen name stays in
    ``ClassApplication.plan_file_name`` only."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    extension = extension if extension.isalnum() and len(extension) <= 8 else "bin"
    return f"{PLAN_ROOT}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class ClassApplication(models.Model):
    """The 开班申请 of a subsidised class: roster, teaching plan, teachers, resources and assessment plan,
    reviewed by an organiser before the class starts. One per class; its events keep every revision."""

    training_class = models.OneToOneField(
        "training.TrainingClass", on_delete=models.PROTECT, related_name="application", verbose_name=_("培训班")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    revision = models.PositiveIntegerField(_("提交次数"), default=0)
    teaching_plan = models.TextField(_("教学计划"), max_length=20_000, blank=True)
    plan_file = models.FileField(
        _("教学计划附件"), upload_to=plan_file_name, storage=plan_storage, max_length=255, blank=True
    )
    plan_file_name = models.CharField(_("附件文件名"), max_length=200, blank=True)
    assessment_plan = models.TextField(_("考核方案"), max_length=10_000, blank=True)
    assessment_quiz = models.ForeignKey(
        "courses.Quiz",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结业考核测验"),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("考核合格分数线（%）"), default=60, validators=[MaxValueValidator(100)]
    )
    # Frozen at each submission: [{entry_id, user_id, name, id_number_masked, department, job}] and
    # [{course_id, code, title, provider, hours}].
    roster = models.JSONField(_("学员名单"), default=list, blank=True)
    resources = models.JSONField(_("教学资源"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("开班申请")
        verbose_name_plural = _("开班申请")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="application_pass_mark_percent"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="application_submitted_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.training_class_id}: {self.get_status_display()}"

    @property
    def is_approved(self) -> bool:
        return self.status == ApplicationStatus.APPROVED


class ApplicationTeacher(models.Model):
    """A teacher (授课教师) named in an application."""

    application = models.ForeignKey(ClassApplication, on_delete=models.CASCADE, related_name="teachers")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称/职务"), max_length=50, blank=True)
    qualification = models.CharField(_("资格证书"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("授课教师")
        verbose_name_plural = _("授课教师")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class ApplicationAction(models.TextChoices):
    SUBMITTED = "submitted", _("提交申请")
    RESUBMITTED = "resubmitted", _("修改后重新提交")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("批准开班")


class ApplicationEvent(models.Model):
    """One step of an application's review (the audit trail): who, when, what, the comment, and for a
    submission the whole application as it was submitted."""

    application = models.ForeignKey(ClassApplication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=ApplicationAction.choices)
    revision = models.PositiveIntegerField(_("第几次提交"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)  # kept when the account goes
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见"), max_length=2000, blank=True)
    content = models.JSONField(_("提交内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("开班申请记录")
        verbose_name_plural = _("开班申请记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.application_id} {self.action} r{self.revision}"


class ClassSignIn(models.Model):
    """A member's sign-in (签到) on one day (Asia/Shanghai) of an open class: one per member and day."""

    member = models.ForeignKey("training.ClassMember", on_delete=models.CASCADE, related_name="sign_ins")
    day = models.DateField(_("日期"))
    at = models.DateTimeField(_("签到时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="uniq_class_sign_in_per_day")]

    def __str__(self):
        return f"{self.member_id}: {self.day}"
