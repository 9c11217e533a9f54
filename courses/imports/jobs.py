"""Import jobs: upload → preview (dry run) → confirm → apply. The services every path calls.

- ``import_job_create`` stores the upload and queues the preview (views; tests; the benchmark).
- ``import_job_preview`` reads and parses the file, plans every row against the database without
  writing course or question rows, stores the preview, and keeps the parsed records in a JSON file.
- ``import_job_confirm`` queues the apply step, only from a preview without errors.
- ``import_job_apply`` re-plans the stored records inside one transaction and writes them; if the
  plan no longer matches the preview (someone changed the records meanwhile) it stores the new
  preview and asks for another confirmation. Any error rolls everything back.
The task wrappers in ``courses.imports.tasks`` only call the preview and apply functions.

A worker can die in the middle (killed, out of memory, the host restarted). Each step beats
(``heartbeat_at``, with its progress); ``import_jobs_reap`` marks a step whose heartbeat is older
than ``JOB_STALE_SECONDS`` failed, with a message (``manage.py reap_jobs`` and the job's own page
run it), and ``import_job_retry`` queues the preview again from the upload. A dead apply wrote
nothing (one transaction), so the retry goes back to the preview.

What the job stores for people to read later (row issues, file errors, its message) stays in the
source language, with the parameters apart (``courses.messages``): the job page translates it for
whoever opens it, so staff who read English see English even when a worker wrote it.
"""

import datetime as dt
import json
import logging
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.roles import can_manage_provider
from courses.messages import Message
from courses.models import ImportFormat, ImportJob, ImportKind, ImportStatus, Provider
from courses.review import publishes_directly

from .courses import courses_apply, courses_plan
from .parsers.courses import CourseRow
from .parsers.records import ParsedQuestion, ParseIssue
from .parsers.tables import MAX_BYTES, SourceError
from .questions import questions_apply, questions_plan
from .reading import read_file

logger = logging.getLogger(__name__)
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "txt": None, "json": "json", "gift": "gift", "aiken": "aiken"}
PROGRESS_EVERY = 1000


_AIKEN_ANSWER = re.compile(r"^\s*(ANSWER|答案|正确答案)\s*[:：]", re.IGNORECASE | re.MULTILINE)


class ImportChanged(Exception):
    """The records changed between preview and confirm; the new preview has been stored."""


def guess_format(filename: str, data: bytes, kind: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04") or extension == "xlsx":
        return "xlsx"
    if extension in ("csv", "json", "gift"):
        return extension
    if extension == "txt" and kind == ImportKind.QUESTIONS:
        lowered = filename.lower()
        if "aiken" in lowered or "gift" in lowered:
            return "aiken" if "aiken" in lowered else "gift"
        head = data[:20000].decode("utf-8", "ignore")
        return "aiken" if _AIKEN_ANSWER.search(head) else "gift"
    if data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def import_job_create(*, user, provider: Provider, kind: str, upload, fmt: str = "", publish: bool = True) -> ImportJob:
    """Store an upload for ``provider``; the caller queues the preview. Refuses other providers."""
    if not can_manage_provider(user, provider.pk):
        raise PermissionDenied
    if kind not in ImportKind.values:
        raise ValidationError(_("请选择导入课程还是题库"))
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("文件太大，单个文件不能超过 %(mb)s MB，请拆分后分批导入") % {"mb": MAX_BYTES // 1048576}
        )
    if not upload.size:
        raise ValidationError(_("文件是空的，请选择填写好的文件"))
    data = upload.read()
    fmt = fmt or guess_format(upload.name, data, kind)
    if fmt not in ImportFormat.values:
        raise ValidationError(_("不支持的文件格式"))
    if kind == ImportKind.COURSES and fmt in ("gift", "aiken"):
        raise ValidationError(_("GIFT 和 Aiken 文件只能导入题库"))
    job = ImportJob(
        provider=provider,
        user=user,
        kind=kind,
        format=fmt,
        original_name=upload.name[:255],
        size=len(data),
        publish=publish,
    )
    job.file.save(f"upload.{fmt}", ContentFile(data), save=False)  # a random name (courses.imports.storage)
    job.save()
    return job


def _progress(job_id: int):
    # Each report is also the job's heartbeat (every 1,000 rows: well within JOB_STALE_SECONDS).
    def report(done: int, total: int | None = None) -> None:
        fields = {"rows_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["rows_total"] = total
        ImportJob.objects.filter(pk=job_id).update(**fields)

    return report


def _plan(job: ImportJob, records, issues, progress=None, *, validate: bool = True):
    # 遴选 (courses/changes): an untrusted provider's import may not change what learners of a live course see.
    reviewed = not publishes_directly(provider=job.provider, user=job.user)
    if job.kind == ImportKind.QUESTIONS:
        return questions_plan(
            provider=job.provider,
            records=records,
            issues=issues,
            progress=progress,
            validate=validate,
            reviewed=reviewed,
        )
    return courses_plan(
        provider=job.provider, records=records, issues=issues, publish_default=job.publish, reviewed=reviewed
    )


def import_job_preview(*, job_id: int) -> ImportJob:
    """The dry run. Never raises: a file that cannot be read ends as 文件有误 with the reason."""
    job = ImportJob.objects.select_related("provider").get(pk=job_id)
    # Only a queued job: a task run twice, or one left over from before a retry, does nothing.
    started = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.PREVIEWING, rows_done=0, heartbeat_at=timezone.now()
    )
    if not started:
        return job
    job.status = ImportStatus.PREVIEWING
    try:
        with job.file.open("rb") as stream:
            data = stream.read()
        progress = _progress(job.pk)
        parsed = read_file(job.kind, data, job.format, progress=progress)
        job.rows_total = parsed.total
        if parsed.errors:
            return _finish(job, ImportStatus.INVALID, errors=parsed.errors)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=parsed.total)
        plan = _plan(job, parsed.records, parsed.issues, progress)
        _store_parsed(job, parsed.records, parsed.issues)
        if not plan.rows:
            return _finish(job, ImportStatus.INVALID, errors=[Message(gettext_noop("文件中没有可导入的数据行"))])
        job.rows, job.summary, job.fingerprint = [r.as_json() for r in plan.rows], plan.summary, plan.fingerprint()
        job.previewed_at = timezone.now()
        return _finish(job, ImportStatus.PREVIEWED)
    except SourceError as e:
        return _finish(job, ImportStatus.INVALID, errors=[e.message])
    except Exception:  # noqa: BLE001 - the person sees a message, the log keeps the traceback
        logger.exception("import job %s: preview failed", job.pk)
        return _finish(
            job, ImportStatus.FAILED, message=Message(gettext_noop("预览时发生内部错误，已记录，请联系管理员"))
        )


def _finish(job: ImportJob, status: str, *, errors: list[Message] = (), message: Message | None = None) -> ImportJob:
    """Store the step's outcome, unless the job moved on without this worker: a step given up for
    dead (import_jobs_reap) still tells the truth if it ends after all, but once the job is retried
    (queued again), the retry's outcome is the one that counts."""
    running = job.status
    job.status = status
    job.heartbeat_at = timezone.now()
    job.errors = [error.as_json() for error in errors]
    job.message = message.as_text() if message else ""
    if status in (ImportStatus.PREVIEWED, ImportStatus.DONE):
        job.rows_done = job.rows_total
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().filter(pk=job.pk).values_list("status", flat=True).first()
        if current not in (running, ImportStatus.FAILED):
            logger.warning("import job %s: %s outcome dropped, the job is %s now", job.pk, running, current)
            return job
        job.save()  # a job loaded with defer("rows") saves only its other fields
    return job


def _store_parsed(job: ImportJob, records, issues) -> None:
    # vars() rather than dataclasses.asdict(): the records hold only JSON-ready values, and asdict's
    # deep copy took a third of the preview time for 10,000 rows.
    payload = {"records": [vars(r) for r in records], "issues": [i.as_json() for i in issues]}
    content = json.dumps(payload, ensure_ascii=False, default=str).encode()
    if job.parsed:
        job.parsed.delete(save=False)
    job.parsed.save("parsed.json", ContentFile(content), save=False)


def _load_parsed(job: ImportJob):
    with job.parsed.open("rb") as stream:
        payload = json.loads(stream.read())
    issues = [ParseIssue.from_json(i) for i in payload["issues"]]
    if job.kind == ImportKind.QUESTIONS:
        records = []
        for item in payload["records"]:
            item["score"] = Decimal(item["score"]) if item["score"] is not None else None
            records.append(ParsedQuestion(**item))
        return records, issues
    records = []
    for item in payload["records"]:
        if "hours" in item["course"]:
            item["course"]["hours"] = Decimal(item["course"]["hours"])
        records.append(CourseRow(**item))
    return records, issues


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    if not can_manage_provider(user, job.provider_id):
        raise PermissionDenied
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.APPLY_QUEUED, message=""
    )
    job.refresh_from_db()
    if not updated or job.errors or job.summary.get("error"):
        if updated:
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PREVIEWED)
        raise ValidationError(_("只有没有错误的预览才能确认导入"))
    return job


def import_job_apply(*, job_id: int, user=None) -> ImportJob:
    """Write a confirmed job in one transaction. Never raises: failures leave nothing written."""
    # The preview rows are not needed here (nor rewritten, unless the plan changed): ~2 MB for 10,000 rows.
    job = ImportJob.objects.select_related("provider", "user").defer("rows").get(pk=job_id)
    if job.status != ImportStatus.APPLY_QUEUED:
        return job
    # The apply writes in one transaction, where a heartbeat could not be seen: it beats once here.
    started = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.APPLY_QUEUED).update(
        status=ImportStatus.APPLYING, heartbeat_at=timezone.now()
    )
    if not started:
        return job
    job.status = ImportStatus.APPLYING
    try:
        records, issues = _load_parsed(job)
        result = _apply(job, records, issues, user or job.user)
    except ImportChanged:
        message = Message(gettext_noop("预览之后数据发生了变化，已重新生成预览，请核对后再次确认"))
        return _finish(job, ImportStatus.PREVIEWED, message=message)
    except Exception:  # noqa: BLE001
        logger.exception("import job %s: apply failed", job.pk)
        message = Message(gettext_noop("导入失败，所有数据都没有写入。请重新预览后再试，或联系管理员"))
        return _finish(job, ImportStatus.FAILED, message=message)
    job.summary = {**job.summary, "result": result}
    job.applied_at = timezone.now()
    return _finish(job, ImportStatus.DONE)


@transaction.atomic
def _apply(job: ImportJob, records, issues, user) -> dict:
    plan = _plan(job, records, issues, validate=False)
    if plan.fingerprint() != job.fingerprint:
        job.rows, job.summary, job.fingerprint = [r.as_json() for r in plan.rows], plan.summary, plan.fingerprint()
        raise ImportChanged
    if job.kind == ImportKind.QUESTIONS:
        return questions_apply(provider=job.provider, plan=plan)
    return courses_apply(provider=job.provider, plan=plan, user=user)


# ------------------------------------------------------------------ a worker that died

# What a step given up for dead says (translated when the job page shows it).
PREVIEW_DIED = gettext_noop("预览中断（任务进程已停止），没有写入任何数据。请点击“重试”重新预览")
APPLY_DIED = gettext_noop("导入中断（任务进程已停止），所有数据都没有写入。请点击“重试”：将重新预览，核对后再确认导入")


def import_jobs_reap(*, job_id: int | None = None, now=None) -> int:
    """Mark previews and applies whose heartbeat is older than JOB_STALE_SECONDS failed, with a
    message; how many. An apply writes in one transaction, so a dead one wrote nothing."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = ImportJob.objects.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff))
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    reaped = 0
    for status, text in ((ImportStatus.PREVIEWING, PREVIEW_DIED), (ImportStatus.APPLYING, APPLY_DIED)):
        dead = stale.filter(status=status)  # checked again by the UPDATE: a step that ended keeps its outcome
        pks = list(dead.values_list("pk", flat=True))
        if pks and (
            count := dead.filter(pk__in=pks).update(status=ImportStatus.FAILED, message=Message(text).as_text())
        ):
            logger.warning("import jobs %s: the worker stopped while %s; marked failed", pks, status)
            reaped += count
    return reaped


def import_job_retry(*, job: ImportJob, user) -> ImportJob:
    """Queue a failed job's preview again from its upload (the caller enqueues the task). A failed
    apply wrote nothing, so a retry starts over from the preview, which the person confirms again."""
    if not can_manage_provider(user, job.provider_id):
        raise PermissionDenied
    if job.is_stale:
        import_jobs_reap(job_id=job.pk)
        job.refresh_from_db()
    if job.status != ImportStatus.FAILED:
        raise ValidationError(_("只有失败的导入任务才能重试"))
    if not job.file or not job.file.storage.exists(job.file.name):
        raise ValidationError(_("上传的文件已按保留期限清理，无法重试，请重新上传"))
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
        status=ImportStatus.QUEUED,
        rows_total=0,
        rows_done=0,
        summary={},
        rows=[],
        errors=[],
        fingerprint="",
        message="",
        previewed_at=None,
        applied_at=None,
        heartbeat_at=None,
    )
    if not updated:
        raise ValidationError(_("只有失败的导入任务才能重试"))
    logger.info("import job %s: retried by %s", job.pk, user)
    job.refresh_from_db()
    return job
