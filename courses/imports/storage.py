"""Where uploaded import files live: private storage that no URL serves.

A question bank carries its answer keys, so an upload and its parsed JSON are kept under
``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT`` (which nginx serves without a log-in) and outside the
static files, under random names (128 bits; the name the person chose stays in
``ImportJob.original_name`` only). The one way to read an upload back over HTTP is the import
pages' download view, which checks the user's provider.

``import_files_make_private`` moves the files that jobs made before this storage existed out of
public media (migration ``courses.0003_private_import_files`` runs it, and ``manage.py
move_import_files`` runs it again, e.g. once a media volume that was missing is mounted).
"""

import logging
import os
import posixpath
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

ROOT = "imports"
_EXTENSION = re.compile(r"\.([a-z0-9]{1,8})$")


def _public_roots() -> list[Path]:
    """The trees served without a log-in: media (nginx, or Django with SERVE_MEDIA) and static files."""
    dirs = [d[1] if isinstance(d, list | tuple) else d for d in settings.STATICFILES_DIRS]
    return [Path(root).resolve() for root in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *dirs) if root]


def private_root_problem(root) -> str:
    """Why `root` may not hold import files ("" when it may): what it holds must lie outside every served tree."""
    if not root:
        return "PRIVATE_MEDIA_ROOT is empty"
    folder = Path(root).resolve() / ROOT
    for public in _public_roots():
        if folder.is_relative_to(public):
            return f"PRIVATE_MEDIA_ROOT ({Path(root).resolve()}) puts import files inside {public}, which is served to anyone"
    return ""


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT. They have no URL: ``url()`` raises, so no template can link one."""

    def __init__(self):
        super().__init__(location=None, base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @cached_property
    def base_location(self):
        root = settings.PRIVATE_MEDIA_ROOT
        problem = private_root_problem(root)
        if problem:
            raise ImproperlyConfigured(problem)
        return str(root)

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no URL; the import pages' download view serves them")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("PRIVATE_MEDIA_ROOT", "MEDIA_ROOT", "STATIC_ROOT", "STATICFILES_DIRS"):
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


private_storage = PrivateStorage()


def import_storage() -> PrivateStorage:
    """The storage of ``ImportJob.file`` and ``.parsed`` (a callable, so migrations keep no path)."""
    return private_storage


def import_file_name(instance, filename: str) -> str:
    """``imports/<year>/<month>/<32 random hex digits>.<extension>``: nothing to guess, nothing personal."""
    match = _EXTENSION.search(filename.lower())
    extension = match.group(1) if match else "bin"
    return f"{ROOT}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


@checks.register(checks.Tags.security)
def check_private_root(app_configs=None, **kwargs):
    problem = private_root_problem(getattr(settings, "PRIVATE_MEDIA_ROOT", ""))
    if problem:
        hint = "Set PRIVATE_MEDIA_ROOT to a directory outside MEDIA_ROOT and the static files (.env.example)."
        return [checks.Error(problem, hint=hint, id="courses.E001")]
    return []


# ------------------------------------------------------------------ moving files out of public media


@dataclass
class Moved:
    files: int = 0  # files of jobs, moved
    orphans: int = 0  # files under public imports/ that no job refers to, moved too
    missing: list[str] = field(default_factory=list)  # names a job refers to that exist nowhere

    def as_dict(self) -> dict:
        return asdict(self)


def import_files_make_private(*, job_model) -> Moved:
    """Move the files of existing jobs from public media into private storage under new random names.

    ``job_model`` is ``ImportJob`` (or the migration's historical model). Each job's row is updated as
    its files move; the public copy is deleted once that update is committed. A file that exists
    nowhere is reported in ``missing`` (logged, not fatal) and its row is left as it is, so a second
    run moves it once it is back. Files under public ``imports/`` that no job refers to move as well,
    keeping their modification time, so the retention clean-up deletes them when they are old.
    """
    out = Moved()
    public, private = default_storage, private_storage
    referenced: set[str] = set()
    for pk, file, parsed in job_model.objects.exclude(file="", parsed="").values_list("pk", "file", "parsed"):
        changes, moved = {}, []
        for column, name in (("file", file), ("parsed", parsed)):
            if not name:
                continue
            referenced.add(name)
            if private.exists(name):
                continue  # already private
            if not public.exists(name):
                out.missing.append(name)
                logger.warning("import job %s: file %s is missing; its row is left as it is", pk, name)
                continue
            changes[column] = _copy(public, private, name)
            moved.append(name)
        if changes:
            with transaction.atomic():
                job_model.objects.filter(pk=pk).update(**changes)
                for name in moved:  # the public copy goes once the row says where the private one is
                    transaction.on_commit(lambda name=name: _delete(public, name))
            out.files += len(changes)
    for name in _stored(public, ROOT):
        if name not in referenced:
            _copy(public, private, name)
            out.orphans += 1
            transaction.on_commit(lambda name=name: _delete(public, name))
    transaction.on_commit(lambda: _remove_empty_folders(public))
    return out


def _copy(source, target, name: str) -> str:
    new = import_file_name(None, name)
    with source.open(name, "rb") as stream:
        new = target.save(new, stream)
    try:
        modified = source.get_modified_time(name).timestamp()
        os.utime(target.path(new), (modified, modified))
    except (NotImplementedError, OSError):
        pass
    return new


def _delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not delete public import file %s", name)


def _stored(storage, folder: str):
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield posixpath.join(folder, name)
    for sub in dirs:
        yield from _stored(storage, posixpath.join(folder, sub))


def _remove_empty_folders(storage) -> None:
    try:
        top = Path(storage.path(ROOT))
    except NotImplementedError:
        return
    if not top.is_dir():
        return
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if not any(top.iterdir()):
        top.rmdir()
