import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from courses.imports.storage import import_file_name, import_storage


class ImportKind(models.TextChoices):
    COURSES = "courses", _("课程")
    QUESTIONS = "questions", _("题库")


class ImportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel 工作簿（.xlsx）")
    CSV = "csv", _("CSV（UTF-8 或 GBK）")
    JSON = "json", _("JSON")
    GIFT = "gift", _("Moodle GIFT")
    AIKEN = "aiken", _("Moodle Aiken")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队预览")
    PREVIEWING = "previewing", _("正在预览")
    PREVIEWED = "previewed", _("待确认")
    INVALID = "invalid", _("文件有误")
    APPLY_QUEUED = "apply_queued", _("排队导入")
    APPLYING = "applying", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败")


class ImportJob(models.Model):
    """One uploaded file: its dry run (preview of every row), then, once confirmed, its import.

    Kept after the import so the preview and the result stay available for review. The parsed
    records of the dry run live in ``parsed`` (a JSON file beside the upload), so the confirm
    step re-checks them against the database without reading the spreadsheet again. Both files are
    private (``courses.imports.storage``: outside public media, random names); the name the person
    chose is ``original_name``.
    """

    provider = models.ForeignKey(
        "courses.Provider", on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("培训机构")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("上传人")
    )
    kind = models.CharField(_("导入内容"), max_length=10, choices=ImportKind.choices)
    format = models.CharField(_("文件格式"), max_length=10, choices=ImportFormat.choices)
    file = models.FileField(_("文件"), upload_to=import_file_name, storage=import_storage, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("文件大小"), default=0)
    publish = models.BooleanField(_("确认后发布新课程"), default=True)
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    summary = models.JSONField(_("统计"), default=dict, blank=True)
    rows = models.JSONField(_("预览"), default=list, blank=True)
    errors = models.JSONField(_("文件级错误"), default=list, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    parsed = models.FileField(
        upload_to=import_file_name, storage=import_storage, max_length=255, blank=True, editable=False
    )
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("预览时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    # Touched when a step starts and with its progress; older than JOB_STALE_SECONDS means the
    # worker died (courses.imports.jobs.import_jobs_reap).
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"])]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in (
            ImportStatus.QUEUED,
            ImportStatus.PREVIEWING,
            ImportStatus.APPLY_QUEUED,
            ImportStatus.APPLYING,
        )

    @property
    def is_stale(self) -> bool:
        """A preview or apply whose worker stopped beating: see courses.imports.jobs.import_jobs_reap."""
        if self.status not in (ImportStatus.PREVIEWING, ImportStatus.APPLYING):
            return False
        beat = self.heartbeat_at or self.created_at
        return beat is not None and beat < timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)

    @property
    def can_retry(self) -> bool:
        """A failed job whose upload is still kept can be previewed again (import_job_retry)."""
        return self.status == ImportStatus.FAILED and bool(self.file)

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.PREVIEWED and not self.summary.get("error") and not self.errors

    @property
    def status_label(self) -> str:
        """The status as the job pages show it: a preview with error rows cannot be confirmed, so it
        reads 错误 (the rows' own label) rather than 待确认."""
        if self.status == ImportStatus.PREVIEWED and not self.can_confirm:
            return pgettext("import row", "错误")
        return self.get_status_display()

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.PREVIEWED, ImportStatus.DONE):
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
