"""Certificates: what was issued to whom, frozen at issuance, and never deleted.

A certificate keeps a snapshot of the issued data (name, masked ID number, course / level / award,
dates, issuer), so later edits of a course or a profile never change it. Revoking sets a status;
there is no delete permission and deleting raises, so a verifier can always tell "revoked" from
"never existed".
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    COMPLETION = "completion", _("结业证书")
    SKILL_LEVEL = "skill_level", _("职业技能等级证书")
    AWARD = "award", _("获奖证书")
    STUDY_HOURS = "study_hours", _("学时证明")
    TRAINING = "training", _("培训合格证书")
    PATH = "path", _("专题结业证书")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")


class CertificateQuerySet(models.QuerySet):
    def delete(self):
        raise ValidationError(_("证书不能删除，只能撤销"))

    def valid(self):
        return self.filter(status=CertificateStatus.VALID)

    def for_holder(self, user):
        return self.filter(holder=user)


# Written once at issuance; `save()` refuses to write them again.
FROZEN_FIELDS = frozenset(
    {"kind", "number", "code", "holder", "holder_id", "snapshot", "issued_at", "course", "course_id"}
    | {"enrolment", "enrolment_id", "source", "expires_at"}
)


class Certificate(models.Model):
    """An issued certificate: its number, its unguessable verification code and the frozen data."""

    kind = models.CharField(_("证书类型"), max_length=16, choices=CertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    code = models.CharField(_("验证码"), max_length=32, unique=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("持证人")
    )
    snapshot = models.JSONField(_("颁发时的数据"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("颁发时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("颁发人"),
    )
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("课程"),
    )
    enrolment = models.OneToOneField(
        "courses.Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate",
        verbose_name=_("报名"),
    )
    # What the certificate was issued for, for idempotent bulk issuance: "round:12" for an award.
    source = models.CharField(_("来源"), max_length=60, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="certificates/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF 摘要"), max_length=64, blank=True)
    credential = models.JSONField(_("开放徽章凭证"), default=dict, blank=True)
    template_version = models.PositiveIntegerField(_("模板版本"), default=0)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-issued_at", "-id"]
        default_permissions = ("add", "change", "view")  # never "delete"
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "source"], condition=~Q(source=""), name="uniq_certificate_per_holder_source"
            ),
            models.CheckConstraint(
                condition=Q(status="valid", revoked_at__isnull=True) | Q(status="revoked", revoked_at__isnull=False),
                name="certificate_revoked_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(kind="completion") | Q(enrolment__isnull=False), name="certificate_completion_enrolment"
            ),
        ]
        indexes = [models.Index(fields=["holder", "-issued_at"]), models.Index(fields=["kind", "issued_at"])]

    def __str__(self):
        return f"{self.number} {self.snapshot.get('holder', {}).get('name', '')}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or FROZEN_FIELDS.intersection(fields):
                raise ValidationError(_("证书颁发后内容不可修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("证书不能删除，只能撤销"))

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        """valid, revoked or expired: what a verifier is told."""
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired else "valid"

    @property
    def state_label(self) -> str:
        return {"valid": _("有效"), "revoked": _("已撤销"), "expired": _("已过期")}[self.state]

    @property
    def holder_name(self) -> str:
        return self.snapshot.get("holder", {}).get("name", "")


class CertificateTemplate(models.Model):
    """The organiser-edited HTML/CSS of one certificate kind; the built-in default applies until saved."""

    kind = models.CharField(_("证书类型"), max_length=16, choices=CertificateKind.choices, unique=True)
    html = models.TextField(_("HTML 模板"))
    css = models.TextField(_("CSS 样式"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("证书模板")
        verbose_name_plural = _("证书模板")

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class NumberSequence(models.Model):
    """The last serial used per certificate kind and year; incremented inside the issuing transaction."""

    kind = models.CharField(max_length=16, choices=CertificateKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("证书流水号")
        verbose_name_plural = _("证书流水号")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="uniq_number_sequence")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"


class CompletionFailure(models.Model):
    """A completion certificate that could not be issued (e.g. a name no font can draw): when it was
    last tried, why it failed, and when the sweeper (owed.py) may try again, so a certificate that
    keeps failing is retried with growing pauses instead of in a loop. Deleted once it is issued."""

    enrolment = models.OneToOneField(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="certificate_failure", verbose_name=_("报名")
    )
    attempts = models.PositiveIntegerField(_("失败次数"), default=0)
    error = models.CharField(_("原因"), max_length=300, blank=True)
    last_tried_at = models.DateTimeField(_("最近尝试"))
    next_try_at = models.DateTimeField(_("下次尝试"))

    class Meta:
        verbose_name = _("未能颁发的结业证书")
        verbose_name_plural = _("未能颁发的结业证书")
        indexes = [models.Index(fields=["next_try_at"])]

    def __str__(self):
        return f"{self.enrolment_id}: {self.error}"


class CertificateHold(models.Model):
    """A completion certificate waiting for the holder's identity (信息待补充): the course or the site
    requires a real name, a valid 身份证号 and a mobile number, and the profile lacks one of them.
    Deleted once the certificate is issued (certificates/holds.py)."""

    enrolment = models.OneToOneField(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="certificate_hold", verbose_name=_("报名")
    )
    missing = models.JSONField(_("待补充的信息"), default=list)
    held_at = models.DateTimeField(_("暂缓时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信息待补充的结业证书")
        verbose_name_plural = _("信息待补充的结业证书")

    def __str__(self):
        return f"{self.enrolment_id}: {', '.join(self.missing)}"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class IssueJob(models.Model):
    """A bulk issuance run in the background; the progress page polls it."""

    kind = models.CharField(_("证书类型"), max_length=16, choices=CertificateKind.choices)
    title = models.CharField(_("任务"), max_length=120)
    params = models.JSONField(default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已颁发"), default=0)
    skipped = models.PositiveIntegerField(_("已跳过"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    errors = models.JSONField(_("问题"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Touched when a run starts and with each batch; older than JOB_STALE_SECONDS means the worker
    # died (jobs.issue_jobs_reap). Each run (the first, then each resume) takes the next number, and
    # writes only while the job still carries it, so a run that was given up for dead changes nothing.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0, editable=False)
    # Why the job stopped, in the source language (translated when shown), e.g. a dead worker.
    message = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("批量颁发任务")
        verbose_name_plural = _("批量颁发任务")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_stale(self) -> bool:
        """Running, but its worker stopped beating: see jobs.issue_jobs_reap."""
        if self.status != JobStatus.RUNNING:
            return False
        beat = self.heartbeat_at or self.created_at
        return beat is not None and beat < timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)

    @property
    def can_resume(self) -> bool:
        return self.status == JobStatus.FAILED

    @property
    def processed(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(self.processed * 100 / self.total))


class IssuePreview(models.Model):
    """A bulk skill-level list read and matched against the accounts, waiting for the organiser who
    uploaded it to look at the matches and confirm. Confirming creates the IssueJob and deletes the
    preview; nothing is issued before."""

    title = models.CharField(_("名单"), max_length=120)
    by = models.CharField(_("持证人标识"), max_length=10)  # holders.HolderBy: username or id_number
    rows = models.JSONField(_("名单行"), default=list)  # bulk.SkillList.preview_rows(): ID numbers masked
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待确认的颁发名单")
        verbose_name_plural = _("待确认的颁发名单")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def ready_count(self) -> int:
        return sum(1 for row in self.rows if not row["problem"])

    @property
    def issued_count(self) -> int:
        return sum(1 for row in self.rows if not row["problem"] and row["issued"])

    @property
    def problem_count(self) -> int:
        return sum(1 for row in self.rows if row["problem"])
