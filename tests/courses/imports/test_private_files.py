"""Uploaded imports are private: no /media/ URL serves them, only a view that checks the provider.

A question bank carries its answer keys. The old names (``imports/2026/12/20261204175247.csv``, the
upload second) inside the public media tree were guessable, and nginx serves that tree without a
log-in; now the files live under PRIVATE_MEDIA_ROOT with random names.
"""

import datetime as dt
import importlib
import os
import zoneinfo
from pathlib import Path

import pytest
import time_machine

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import clear_url_caches

from courses.imports.retention import import_files_prune
from courses.imports.storage import import_files_make_private, private_storage
from courses.models import ImportJob
from tests.courses.imports.helpers import QUESTION_HEADER, csv_bytes, preview, upload

pytestmark = pytest.mark.django_db
NEW = "/admin/courses/import/new/"
UPLOADED_AT = dt.datetime(2026, 12, 4, 17, 52, 47, tzinfo=dt.UTC)
BANK = csv_bytes([QUESTION_HEADER, ["单选题", "答案机密的题目？", "甲", "乙", "", "", "B", "", "", "", "", "K-1"]])
LEGACY = csv_bytes([QUESTION_HEADER, ["单选题", "旧系统留下的题目？", "甲", "乙", "", "", "A", "", "", "", "", "L-1"]])


@pytest.fixture
def serve_media(request, settings):
    """The project's URLs built with SERVE_MEDIA on or off (config/urls.py reads it at import)."""
    import config.urls

    settings.SERVE_MEDIA = request.param
    clear_url_caches()
    importlib.reload(config.urls)
    yield request.param
    settings.SERVE_MEDIA = True  # the test settings' value
    clear_url_caches()
    importlib.reload(config.urls)


def _old_style_names(moment: dt.datetime, ext: str) -> set[str]:
    """What the old code named an upload made at `moment` (folder in local or UTC time, name in UTC)."""
    names = set()
    for zone in (dt.UTC, zoneinfo.ZoneInfo(settings.TIME_ZONE)):
        folder = moment.astimezone(zone)
        for second in range(-2, 3):
            stamp = moment + dt.timedelta(seconds=second)
            names.add(f"imports/{folder:%Y}/{folder:%m}/{stamp:%Y%m%d%H%M%S}.{ext}")
    return names


def _public_files_holding(data: bytes) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and p.stat().st_size == len(data) and p.read_bytes() == data]


@pytest.mark.parametrize("serve_media", [True, False], indirect=True)
def test_after_an_upload_no_media_url_returns_the_file(client, staff_a, provider_a, serve_media):
    client.force_login(staff_a)
    with time_machine.travel(UPLOADED_AT, tick=False):
        response = client.post(NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload("题库.csv", BANK)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "previewed"
    stored = {job.file.name, job.parsed.name}
    assert all(private_storage.exists(name) for name in stored)
    client.logout()
    for name in sorted(stored | _old_style_names(UPLOADED_AT, "csv")):
        answer = client.get(f"/media/{name}")
        assert answer.status_code == 404, (name, serve_media)
    private_dir = Path(settings.PRIVATE_MEDIA_ROOT).name  # a sibling of MEDIA_ROOT in the tests
    for path in (f"/media/../{private_dir}/{job.file.name}", f"/media/%2e%2e/{private_dir}/{job.file.name}"):
        answer = client.get(path)
        assert answer.status_code in (400, 404) and BANK not in answer.content, (path, serve_media)
    # nginx serves MEDIA_ROOT as it is: neither the upload nor its parsed copy may be anywhere in it
    assert _public_files_holding(BANK) == []
    assert _public_files_holding(private_storage.open(job.parsed.name).read()) == []


def test_private_files_have_random_names_outside_media_and_static(staff_a, provider_a):
    first = preview(staff_a, provider_a, "questions", "题库.csv", BANK)
    second = preview(staff_a, provider_a, "questions", "题库.csv", BANK)
    names = [first.file.name, first.parsed.name, second.file.name, second.parsed.name]
    assert len(set(names)) == 4 and not any("题库" in n for n in names)
    stems = [Path(n).name.split(".")[0] for n in names]
    assert all(len(stem) >= 32 for stem in stems)  # 128 random bits, not a timestamp
    root = Path(private_storage.path(first.file.name)).resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        assert not root.is_relative_to(Path(public).resolve())
    with pytest.raises(ValueError):
        private_storage.url(first.file.name)


# ------------------------------------------------------------------ the download view


@pytest.fixture
def bank_job(staff_a, provider_a):
    return preview(staff_a, provider_a, "questions", "题库 2026.csv", BANK)


def _file_url(job) -> str:
    return f"/admin/courses/import/{job.pk}/file/"


@pytest.mark.parametrize("who", ["staff_a", "organiser"])
def test_staff_of_the_provider_and_organisers_download_the_original(client, bank_job, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_file_url(bank_job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BANK
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E9%A2%98%E5%BA%93%202026.csv"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


def test_the_job_page_links_the_original_upload(client, bank_job, staff_a):
    client.force_login(staff_a)
    page = client.get(f"/admin/courses/import/{bank_job.pk}/").content.decode()
    assert f'href="{_file_url(bank_job)}"' in page


def test_another_provider_learners_and_visitors_never_get_the_file(client, bank_job, staff_b, learner):
    client.force_login(staff_b)
    assert client.get(_file_url(bank_job)).status_code == 404
    for user in (learner, None):  # Wagtail's admin sends them to its log-in page before any view runs
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(_file_url(bank_job))
        assert response.status_code in (302, 404) and BANK not in response.content
        assert response.status_code == 404 or response["Location"].startswith("/admin/login/")
    assert client.post(_file_url(bank_job)).status_code in (302, 405)


def test_a_pruned_or_missing_file_is_a_404(client, bank_job, staff_a):
    client.force_login(staff_a)
    private_storage.delete(bank_job.file.name)
    assert client.get(_file_url(bank_job)).status_code == 404
    ImportJob.objects.filter(pk=bank_job.pk).update(file="")
    assert client.get(_file_url(bank_job)).status_code == 404


# ------------------------------------------------------------------ moving existing files


def _legacy_job(provider, user, name, data, parsed=None):
    """A job as the old code left it: its files in public media under timestamp names."""
    public = default_storage.save(name, ContentFile(data))
    job = ImportJob.objects.create(
        provider=provider, user=user, kind="questions", format="csv", original_name="旧题库.csv", size=len(data)
    )
    fields = {"file": public}
    if parsed:
        fields["parsed"] = default_storage.save(parsed, ContentFile(b'{"records": [], "issues": []}'))
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


def test_existing_public_files_move_to_private_storage_under_new_names(
    staff_a, provider_a, django_capture_on_commit_callbacks
):
    job = _legacy_job(
        provider_a,
        staff_a,
        "imports/2026/11/20261130101010.csv",
        LEGACY,
        "imports/2026/11/20261130101010.csv.parsed.json",
    )
    old = (job.file.name, job.parsed.name)
    missing = ImportJob.objects.create(provider=provider_a, kind="questions", format="csv", original_name="丢失.csv")
    ImportJob.objects.filter(pk=missing.pk).update(file="imports/2026/10/20261001000000.csv")
    orphan = default_storage.save("imports/2026/09/20260901000000.csv", ContentFile(b"orphan"))

    with django_capture_on_commit_callbacks(execute=True):  # public copies go once the rows are committed
        moved = import_files_make_private(job_model=ImportJob)

    assert (moved.files, moved.orphans, moved.missing) == (2, 1, ["imports/2026/10/20261001000000.csv"])
    job.refresh_from_db()
    assert job.file.name not in old and job.parsed.name not in old and job.original_name == "旧题库.csv"
    assert private_storage.open(job.file.name).read() == LEGACY
    assert not any(default_storage.exists(name) for name in (*old, orphan))
    assert _public_files_holding(LEGACY) == []
    # missing files are reported, not fatal; running again changes nothing
    again = import_files_make_private(job_model=ImportJob)
    assert (again.files, again.orphans, again.missing) == (0, 0, ["imports/2026/10/20261001000000.csv"])


def test_the_migration_and_the_command_move_legacy_files(
    capsys, staff_a, provider_a, django_capture_on_commit_callbacks
):
    job = _legacy_job(provider_a, staff_a, "imports/2026/11/20261130111111.csv", LEGACY)
    migration = importlib.import_module("courses.migrations.0003_private_import_files")
    from django.apps import apps

    [operation] = [op for op in migration.Migration.operations if hasattr(op, "code")]
    with django_capture_on_commit_callbacks(execute=True):
        operation.code(apps, None)
    job.refresh_from_db()
    assert private_storage.open(job.file.name).read() == LEGACY
    assert not default_storage.exists("imports/2026/11/20261130111111.csv")

    second = _legacy_job(provider_a, staff_a, "imports/2026/11/20261130121212.csv", LEGACY)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("move_import_files")
    second.refresh_from_db()
    assert private_storage.exists(second.file.name) and '"files": 1' in capsys.readouterr().out


# ------------------------------------------------------------------ retention on the private storage


def test_retention_deletes_private_files_and_private_orphans(staff_a, provider_a, bank_job):
    names = [bank_job.file.name, bank_job.parsed.name]
    stray = private_storage.save("imports/2026/01/stray.csv", ContentFile(b"x"))
    old = (bank_job.created_at - dt.timedelta(days=40)).timestamp()
    os.utime(private_storage.path(stray), (old, old))
    pruned = import_files_prune(days=30, now=bank_job.created_at + dt.timedelta(days=31))
    assert (pruned.jobs, pruned.orphans, pruned.files) == (1, 1, 3)
    assert not any(private_storage.exists(n) for n in [*names, stray])


def test_a_private_root_inside_public_media_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    from courses.imports.storage import check_private_root

    assert check_private_root() == []
    settings.PRIVATE_MEDIA_ROOT = str(Path(settings.MEDIA_ROOT) / "private")
    [error] = check_private_root()
    assert error.id == "courses.E001"
    with pytest.raises(ImproperlyConfigured):
        private_storage.save("imports/x.csv", ContentFile(b"x"))
    assert _public_files_holding(b"x") == []
