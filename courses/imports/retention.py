"""How long uploaded import files are kept.

An upload and its parsed JSON are needed only until the job is applied (or abandoned). After
`IMPORT_FILE_RETENTION_DAYS` they are deleted; the job row stays, with its summary, so the import
history still says who imported what and when. A preview nobody confirmed in that time is closed
as failed, with a message, so it can no longer be confirmed against a missing file. Files under
`imports/` that no job refers to (a job deleted in Django's admin) go once they are as old.
The files are in the private storage (``courses.imports.storage``), not in public media.
"""

import datetime as dt
import logging
import posixpath
from dataclasses import asdict, dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from courses.messages import Message
from courses.models import ImportJob, ImportStatus

from .storage import ROOT, private_storage

logger = logging.getLogger(__name__)

FINISHED = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INVALID)


@dataclass
class Pruned:
    jobs: int = 0
    expired_previews: int = 0
    orphans: int = 0
    files: int = 0
    bytes: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def import_files_prune(*, days: int, now: dt.datetime | None = None, dry_run: bool = False) -> Pruned:
    """Delete the files of imports older than `days` days; see the module docstring."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    out = Pruned()
    old = (
        ImportJob.objects.filter(created_at__lt=cutoff, status__in=[*FINISHED, ImportStatus.PREVIEWED])
        .exclude(file="", parsed="")
        .only("pk", "status", "file", "parsed")
    )
    for job in old:
        names = [f.name for f in (job.file, job.parsed) if f]
        changes = {"file": "", "parsed": "", "rows": []}
        expired = job.status == ImportStatus.PREVIEWED
        if expired:
            message = Message(
                gettext_noop("预览超过 %(days)s 天未确认，上传的文件已清理；如需导入，请重新上传"), days=days
            )
            changes |= {"status": ImportStatus.FAILED, "message": message.as_text()}  # translated when shown
        # Only if the status is still the one read: a preview confirmed meanwhile keeps its files.
        if not dry_run and not ImportJob.objects.filter(pk=job.pk, status=job.status).update(**changes):
            continue
        out.jobs += 1
        out.expired_previews += expired
        for name in names:
            _delete(name, out, dry_run)
    referenced = _referenced()
    for name in _stored(ROOT):
        if name not in referenced and _modified(name) < cutoff:
            out.orphans += 1
            _delete(name, out, dry_run)
    return out


def _referenced() -> set[str]:
    names = set()
    for file, parsed in ImportJob.objects.filter(~Q(file="") | ~Q(parsed="")).values_list("file", "parsed"):
        names.update(n for n in (file, parsed) if n)
    return names


def _stored(folder: str):
    try:
        dirs, files = private_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name)
    for sub in dirs:
        yield from _stored(posixpath.join(folder, sub))


def _modified(name: str) -> dt.datetime:
    try:
        return private_storage.get_modified_time(name)
    except (FileNotFoundError, NotImplementedError):
        return timezone.now()  # unknown age: keep it


def _delete(name: str, out: Pruned, dry_run: bool) -> None:
    try:
        size = private_storage.size(name)
    except FileNotFoundError:
        return
    if not dry_run:
        try:
            private_storage.delete(name)
        except OSError:
            logger.exception("could not delete import file %s", name)
            return
    out.files += 1
    out.bytes += size
